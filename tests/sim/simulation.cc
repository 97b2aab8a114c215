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

namespace tcpaas::sim {
namespace {

constexpr Port kServerPort(5001);
constexpr Ipv4Address kAddrA = Ipv4Address::FromOctets(198, 18, 0, 1);
constexpr Ipv4Address kAddrB = Ipv4Address::FromOctets(198, 18, 0, 2);
const MacAddress kMacA({0x02, 0, 0, 0, 0, 0x0a});
const MacAddress kMacB({0x02, 0, 0, 0, 0, 0x0b});
// After this many loop iterations without virtual time moving, the run is a livelock.
constexpr uint64_t kMaxIterationsPerInstant = 100'000;

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
class App : public tcp::TcpEventHandler {
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
  bool Step(Instant now) {
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
  Instant NextWakeup(Instant now) const {
    if (done_ || eof_ || !conn_.valid() || next_read_ <= now) return Instant::Never();
    return next_read_;
  }

  bool done() const { return done_; }
  const std::string& failure() const { return failure_; }
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

HostConfig MakeHostConfig(const Scenario& s, Ipv4Address addr, MacAddress mac, uint64_t salt) {
  HostConfig c;
  c.interface.link_layer = link::LinkLayer::kEthernet;
  c.interface.mac = mac;
  c.interface.address = Ipv4Cidr{addr, 24};
  c.interface.mtu = s.mtu;
  // With up to 10% loss each way, three ARP requests all fail about once in 10,000 seeds,
  // and the connect then rightly fails as unreachable (as Linux's does). The simulation is
  // about TCP, so ARP gets more tries here.
  c.interface.arp_max_requests = 8;
  c.tcp.time_wait = Duration::Seconds(5);
  uint64_t state = s.seed ^ salt;
  c.tcp.secret = {SplitMix64(&state), SplitMix64(&state)};
  return c;
}

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

  Host host_a(MakeHostConfig(s, kAddrA, kMacA, 0xa));
  Host host_b(MakeHostConfig(s, kAddrB, kMacB, 0xb));
  std::vector<uint8_t> data_a = RandomBytes(s.seed, 0xda7aa, s.client.bytes_to_send);
  std::vector<uint8_t> data_b = RandomBytes(s.seed, 0xda7ab, s.server.bytes_to_send);
  App client("client", &host_a, s.client, data_a, data_b, /*is_server=*/false, s.seed);
  App server("server", &host_b, s.server, data_b, data_a, /*is_server=*/true, s.seed);
  host_a.tcp().SetEventHandler(&client);
  host_b.tcp().SetEventHandler(&server);

  struct Side {
    Host* host;
    link::Device* dev;
    App* app;
  };
  Side sides[2] = {{&host_a, dev_a.get(), &client}, {&host_b, dev_b.get(), &server}};

  Instant now = Instant::Zero();
  const Instant limit = now + s.time_limit;
  host_a.Start(now);
  host_b.Start(now);
  server.Open(now);
  client.Open(now);

  uint64_t same_instant = 0;
  auto finished = [&] {
    return client.done() && server.done() && host_a.tcp().connection_count() == 0 &&
           host_b.tcp().connection_count() == 0;
  };
  auto fail = [&](std::string why) {
    out.failure = absl::StrCat(why, " at t=", (now - Instant::Zero()).ToString(), "\n  ",
                               client.Progress(), "\n  ", server.Progress());
  };
  // One pass: each side lets its device release due frames, reads what arrived, runs its
  // timers and application, and transmits. Frames one side's device releases reach the other
  // side only in the next pass, so time advances only after a pass in which nothing happened.
  auto run_pass = [&]() -> bool {
    ++out.iterations;
    bool progress = false;
    for (Side& side : sides) {
      side.dev->Poll(now);
      auto n = side.host->ReceiveFrom(*side.dev, now);
      if (!n.ok()) {
        fail(absl::StrCat("device receive: ", n.status().ToString()));
        return false;
      }
      progress |= *n > 0;
      side.host->Poll(now);
      progress |= side.app->Step(now);
      const size_t queued = side.host->tx_queue_size();
      if (absl::Status st = side.host->FlushTo(*side.dev, now); !st.ok()) {
        fail(absl::StrCat("device transmit: ", st.ToString()));
        return false;
      }
      progress |= side.host->tx_queue_size() != queued;
    }
    return progress;
  };
  while (true) {
    bool progress = run_pass();
    if (!progress && out.failure.empty()) progress = run_pass();
    if (!out.failure.empty()) break;
    if (!client.failure().empty() || !server.failure().empty()) {
      fail(!client.failure().empty() ? client.failure() : server.failure());
      break;
    }
    if (finished()) {
      out.ok = true;
      break;
    }
    if (progress) {
      if (++same_instant > kMaxIterationsPerInstant) {
        fail("livelock: no virtual time passes");
        break;
      }
      continue;
    }
    Instant next = Instant::Never();
    for (const Side& side : sides) {
      next = Earliest(next, side.host->NextDeadline());
      next = Earliest(next, side.dev->NextDeadline());
      next = Earliest(next, side.app->NextWakeup(now));
    }
    if (next.is_never()) {
      fail("stalled: nothing is scheduled and nobody is done");
      break;
    }
    if (next > limit) {
      fail(absl::StrCat("time limit ", s.time_limit.ToString(), " exceeded"));
      break;
    }
    if (next > now) {
      now = next;
      same_instant = 0;
    } else if (++same_instant > kMaxIterationsPerInstant) {
      fail("livelock: a deadline in the past is never cleared");
      break;
    }
  }
  out.virtual_elapsed = now - Instant::Zero();
  out.a = host_a.counters();
  out.b = host_b.counters();
  for (uint64_t r : out.a.tcp_retransmits) out.retransmits += r;
  for (uint64_t r : out.b.tcp_retransmits) out.retransmits += r;
  return out;
}

}  // namespace tcpaas::sim
