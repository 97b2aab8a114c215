#include "tests/sim/simulation.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "stack/base/random.h"
#include "stack/host/host.h"
#include "stack/link/fault_injector.h"
#include "stack/link/memory_link.h"
#include "stack/link/pcap_writer.h"
#include "stack/tcp/tcp_layer.h"
#include "tests/sim/sim_hosts.h"
#include "tests/sim/sim_loop.h"

namespace tcpaas::sim {
namespace {

constexpr Port kServerPort(5001);

std::vector<uint8_t> RandomBytes(uint64_t seed, uint64_t stream, size_t n) {
  Rng rng(seed, stream);
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng.Next64();
    for (size_t j = i; j < std::min(n, i + 8); ++j, v >>= 8) out[j] = static_cast<uint8_t>(v);
  }
  return out;
}

// One application: the client (active open) or the server (accepts one connection). It
// writes its data in random-sized pieces, half-closes, reads everything the peer sends and
// checks it byte for byte, then closes its handle.
class App : public tcp::TcpEventHandler, public LoopApp {
 public:
  App(std::string name, Host* host, const AppBehavior& behavior, std::vector<uint8_t> to_send,
      std::vector<uint8_t> expected, bool is_server, uint64_t seed)
      : name_(std::move(name)),
        host_(host),
        behavior_(behavior),
        to_send_(std::move(to_send)),
        expected_(std::move(expected)),
        is_server_(is_server),
        rng_(seed, is_server ? 2 : 1),
        read_buf_(std::max<size_t>(behavior.max_read, 1)) {}

  void Open(Instant now) {
    tcp::TcpLayer& tcp = host_->tcp();
    if (is_server_) {
      auto l = tcp.Listen(kServerPort, 4, behavior_.options);
      if (!l.ok()) return Fail(absl::StrCat("listen: ", l.status().ToString()));
      listener_ = *l;
    } else {
      auto c = tcp.Connect(Endpoint{kAddrB, kServerPort}, behavior_.options, now);
      if (!c.ok()) return Fail(absl::StrCat("connect: ", c.status().ToString()));
      conn_ = *c;
    }
  }

  void OnTcpEvent(const tcp::TcpEvent& e) override {
    if (e.type == tcp::TcpEventType::kClosed && e.reason != CloseReason::kNormal) {
      Fail(absl::StrCat("connection closed abnormally: ", std::string(CloseReasonName(e.reason)),
                        " (bytes_acked=", e.bytes_acked, ")"));
    }
    if (e.type == tcp::TcpEventType::kFinAcked && e.bytes_acked != to_send_.size()) {
      Fail(absl::StrCat("FIN acknowledged with bytes_acked=", e.bytes_acked, ", sent ",
                        to_send_.size()));
    }
  }

  // Does whatever the application can do now. Returns true if it made progress.
  bool Step(Instant now) override {
    if (done_ || !failure_.empty()) return false;
    tcp::TcpLayer& tcp = host_->tcp();
    bool progress = false;
    if (is_server_ && !conn_.valid()) {
      std::optional<tcp::ConnId> c = tcp.Accept(listener_);
      if (!c) return false;
      conn_ = *c;
      progress = true;
      if (absl::Status s = tcp.CloseListener(listener_, now); !s.ok()) {
        Fail(absl::StrCat("close listener: ", s.ToString()));
        return true;
      }
    }
    if (!conn_.valid()) return progress;

    // Write.
    while (sent_ < to_send_.size()) {
      const size_t want = std::min(to_send_.size() - sent_, 1 + rng_.Uniform(behavior_.max_write));
      auto n = tcp.Send(conn_, absl::MakeConstSpan(to_send_).subspan(sent_, want), now);
      if (!n.ok()) {
        Fail(absl::StrCat("send: ", n.status().ToString()));
        return true;
      }
      if (*n == 0) break;
      sent_ += *n;
      progress = true;
    }
    // Half-close: the client as soon as it has written everything; the server either then
    // too, or only after the client's FIN (so both orders of closing happen).
    if (!shut_ && sent_ == to_send_.size() && (!is_server_ || behavior_.shutdown_early || eof_)) {
      if (absl::Status s = tcp.ShutdownWrite(conn_, now); !s.ok()) {
        Fail(absl::StrCat("shutdown: ", s.ToString()));
        return true;
      }
      shut_ = true;
      progress = true;
    }
    // Read, unless this is a slow reader waiting for its next turn.
    if (!eof_ && now >= next_read_) {
      bool read_any = false;
      while (true) {
        const size_t want = 1 + rng_.Uniform(read_buf_.size());
        auto r = tcp.Recv(conn_, absl::MakeSpan(read_buf_).first(want), now);
        if (!r.ok()) {
          Fail(absl::StrCat("recv after ", received_, " bytes: ", r.status().ToString()));
          return true;
        }
        if (r->bytes > 0) {
          if (received_ + r->bytes > expected_.size() ||
              !std::equal(read_buf_.begin(), read_buf_.begin() + r->bytes,
                          expected_.begin() + received_)) {
            Fail(absl::StrCat("received bytes differ from what the peer sent, at offset ",
                              received_, " (read of ", r->bytes, ")"));
            return true;
          }
          received_ += r->bytes;
          read_any = true;
          progress = true;
        }
        if (r->eof) {
          if (received_ != expected_.size()) {
            Fail(absl::StrCat("EOF after ", received_, " bytes, expected ", expected_.size()));
            return true;
          }
          eof_ = true;
          progress = true;
          break;
        }
        if (r->bytes == 0) break;
      }
      if (read_any && behavior_.read_pause > Duration::Zero()) {
        next_read_ = now + behavior_.read_pause;
      }
    }
    if (eof_ && shut_ && !done_) {
      if (absl::Status s = tcp.Close(conn_, now); !s.ok()) {
        Fail(absl::StrCat("close: ", s.ToString()));
        return true;
      }
      done_ = true;
      progress = true;
    }
    return progress;
  }

  // When a paused reader wants to run again (a reader whose turn has come needs no wakeup:
  // arriving data wakes the loop).
  Instant NextWakeup(Instant now) const override {
    if (done_ || eof_ || !conn_.valid() || next_read_ <= now) return Instant::Never();
    return next_read_;
  }

  bool done() const { return done_; }
  const std::string& failure() const override { return failure_; }
  std::string Progress() const {
    return absl::StrCat(name_, ": sent ", sent_, "/", to_send_.size(), " shut=", shut_,
                        " received ", received_, "/", expected_.size(), " eof=", eof_,
                        " done=", done_);
  }

 private:
  void Fail(std::string why) {
    if (failure_.empty()) failure_ = absl::StrCat(name_, ": ", why);
  }

  std::string name_;
  Host* host_;
  AppBehavior behavior_;
  std::vector<uint8_t> to_send_;
  std::vector<uint8_t> expected_;
  bool is_server_;
  Rng rng_;
  std::vector<uint8_t> read_buf_;
  tcp::ListenerId listener_;
  tcp::ConnId conn_;
  size_t sent_ = 0;
  size_t received_ = 0;
  bool shut_ = false;
  bool eof_ = false;
  bool done_ = false;
  Instant next_read_ = Instant::Zero();
  std::string failure_;
};

std::unique_ptr<link::Device> Decorate(std::unique_ptr<link::Device> end,
                                       const link::FaultSpec& faults, uint64_t seed,
                                       const RunOptions& options, const std::string& pcap_name,
                                       std::string* error) {
  std::unique_ptr<link::Device> dev =
      std::make_unique<link::FaultInjector>(std::move(end), faults, seed);
  if (!options.pcap_dir.empty()) {
    auto pcap = link::PcapWriter::Create(std::move(dev), options.pcap_dir + "/" + pcap_name);
    if (!pcap.ok()) {
      *error = pcap.status().ToString();
      return nullptr;
    }
    dev = std::move(*pcap);
  }
  return dev;
}

}  // namespace

Outcome RunScenario(const Scenario& s, const RunOptions& options) {
  Outcome out;
  link::MemoryLinkOptions link_options;
  link_options.mtu = s.mtu;
  link_options.mac_a = kMacA;
  link_options.mac_b = kMacB;
  auto [end_a, end_b] = link::CreateMemoryLinkPair(link_options);
  std::string error;
  const std::string tag = absl::StrCat("sim-", s.seed);
  std::unique_ptr<link::Device> dev_a =
      Decorate(std::move(end_a), s.faults_a_to_b, s.seed * 2 + 1, options, tag + "-a.pcap", &error);
  std::unique_ptr<link::Device> dev_b =
      Decorate(std::move(end_b), s.faults_b_to_a, s.seed * 2 + 2, options, tag + "-b.pcap", &error);
  if (!dev_a || !dev_b) {
    out.failure = absl::StrCat("pcap: ", error);
    return out;
  }

  Host host_a(MakeSimHostConfig(s.seed, 0xa, s.mtu, kAddrA, kMacA));
  Host host_b(MakeSimHostConfig(s.seed, 0xb, s.mtu, kAddrB, kMacB));
  std::vector<uint8_t> data_a = RandomBytes(s.seed, 0xda7aa, s.client.bytes_to_send);
  std::vector<uint8_t> data_b = RandomBytes(s.seed, 0xda7ab, s.server.bytes_to_send);
  App client("client", &host_a, s.client, data_a, data_b, /*is_server=*/false, s.seed);
  App server("server", &host_b, s.server, data_b, data_a, /*is_server=*/true, s.seed);
  host_a.tcp().SetEventHandler(&client);
  host_b.tcp().SetEventHandler(&server);

  const LoopSide sides[2] = {{&host_a, dev_a.get(), &client}, {&host_b, dev_b.get(), &server}};
  const Instant start = Instant::Zero();
  host_a.Start(start);
  host_b.Start(start);
  server.Open(start);
  client.Open(start);
  const LoopResult run = RunLoop(sides, start, s.time_limit, [&](Instant) {
    return client.done() && server.done() && host_a.tcp().connection_count() == 0 &&
           host_b.tcp().connection_count() == 0;
  });
  const Instant now = run.now;
  out.ok = run.finished;
  out.iterations = run.iterations;
  if (!run.finished) {
    out.failure = absl::StrCat(run.failure, " at t=", (now - Instant::Zero()).ToString(), "\n  ",
                               client.Progress(), "\n  ", server.Progress());
  }
  out.virtual_elapsed = now - Instant::Zero();
  out.a = host_a.counters();
  out.b = host_b.counters();
  for (uint64_t r : out.a.tcp_retransmits) out.retransmits += r;
  for (uint64_t r : out.b.tcp_retransmits) out.retransmits += r;
  return out;
}

}  // namespace tcpaas::sim
