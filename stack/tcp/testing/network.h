// Two TcpLayers wired back to back through fake IpSenders, in virtual time (tests only).
// The wire between them has a latency and, optionally, seeded loss, duplication and jitter
// (which reorders). Everything is deterministic for a given seed.
#ifndef TCPAAS_STACK_TCP_TESTING_NETWORK_H_
#define TCPAAS_STACK_TCP_TESTING_NETWORK_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <queue>
#include <random>
#include <utility>
#include <vector>

#include "stack/base/counters.h"
#include "stack/base/time.h"
#include "stack/tcp/tcp_layer.h"
#include "stack/tcp/testing/harness.h"

namespace tcpaas::tcp::testing {

struct LinkOptions {
  Duration latency = Duration::Millis(1);
  Duration jitter = Duration::Zero();  // extra delay, uniform in [0, jitter]: reorders
  double loss = 0;                     // probability that a segment is dropped
  double duplicate = 0;                // probability that a segment arrives twice
  size_t mtu = 1500;
  uint64_t seed = 1;
};

class Network {
 public:
  static constexpr Ipv4Address kAddrA = kLocalAddr;
  static constexpr Ipv4Address kAddrB = kRemoteAddr;

  Network(const TcpConfig& config_a, const TcpConfig& config_b, const LinkOptions& link)
      : link_(link), rng_(link.seed) {
    for (int i = 0; i < 2; ++i) {
      Node& n = nodes_[i];
      n.ip = std::make_unique<FakeIpSender>(i == 0 ? kAddrA : kAddrB, link.mtu);
      n.layer = std::make_unique<TcpLayer>(i == 0 ? config_a : config_b, n.ip.get(), &n.counters);
      n.layer->SetEventHandler(&n.events);
      n.ip->deliver = [this, i](Ipv4Address src, Ipv4Address dst, const std::vector<uint8_t>& bytes,
                                Instant now) { Transmit(1 - i, src, dst, bytes, now); };
    }
  }

  TcpLayer& a() { return *nodes_[0].layer; }
  TcpLayer& b() { return *nodes_[1].layer; }
  TcpLayer& layer(int i) { return *nodes_[i].layer; }
  EventRecorder& events(int i) { return nodes_[i].events; }
  StackCounters& counters(int i) { return nodes_[i].counters; }
  Instant now() const { return now_; }
  uint64_t delivered() const { return delivered_; }
  uint64_t dropped() const { return dropped_; }

  // Called after every step (packet delivery or timer), e.g. to drive applications, and at
  // least every `app_tick` of virtual time while the test runs (an application polling).
  std::function<void(Instant now)> on_step;
  Duration app_tick = Duration::Millis(10);
  // Prints every segment (sent, dropped) to stderr, for debugging a failing seed.
  bool trace = false;

  // Runs until `done()` or until virtual time passes `deadline`; returns done().
  bool RunUntil(const std::function<bool()>& done, Instant deadline) {
    if (on_step) on_step(now_);
    while (!done()) {
      Instant next = Earliest(a().NextDeadline(), b().NextDeadline());
      if (!wire_.empty()) next = Earliest(next, wire_.top().at);
      if (on_step) next = Earliest(next, last_step_ + app_tick);
      if (next > deadline) {
        now_ = deadline;
        return done();
      }
      if (next > now_) now_ = next;
      Step();
    }
    return true;
  }
  void RunFor(Duration d) {
    const Instant end = now_ + d;
    RunUntil([&] { return now_ >= end; }, end);
    now_ = end;
  }

 private:
  struct Node {
    std::unique_ptr<FakeIpSender> ip;
    StackCounters counters;
    std::unique_ptr<TcpLayer> layer;
    EventRecorder events;
  };
  struct InFlight {
    Instant at;
    uint64_t order;
    int to;
    Ipv4Address src;
    Ipv4Address dst;
    std::vector<uint8_t> bytes;
    bool operator>(const InFlight& o) const { return at != o.at ? at > o.at : order > o.order; }
  };

  double Uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }

  void Transmit(int to, Ipv4Address src, Ipv4Address dst, const std::vector<uint8_t>& bytes,
                Instant now) {
    const bool drop = link_.loss > 0 && Uniform() < link_.loss;
    if (trace) Trace(to, bytes, now, drop);
    if (drop) {
      ++dropped_;
      return;
    }
    const int copies = link_.duplicate > 0 && Uniform() < link_.duplicate ? 2 : 1;
    for (int i = 0; i < copies; ++i) {
      Duration delay = link_.latency;
      if (link_.jitter > Duration::Zero()) {
        delay += Duration::Nanos(static_cast<int64_t>(Uniform() * link_.jitter.nanos()));
      }
      wire_.push(InFlight{now + delay, next_order_++, to, src, dst, bytes});
    }
  }

  static void Trace(int to, const std::vector<uint8_t>& bytes, Instant now, bool drop) {
    auto view = wire::TcpHeaderView::Parse(bytes);
    if (!view) return;
    SentSegment s;
    s.header = wire::TcpHeader::FromView(*view);
    s.payload.resize(view->payload().size());
    std::fprintf(stderr, "%12.6f %s %s%s\n", (now - Instant::Zero()).seconds(),
                 to == 1 ? "A>B" : "B>A", s.ToString().c_str(), drop ? "  DROPPED" : "");
  }

  void Step() {
    while (!wire_.empty() && wire_.top().at <= now_) {
      InFlight p = wire_.top();
      wire_.pop();
      ip::Ipv4PacketInfo info;
      info.src = p.src;
      info.dst = p.dst;
      info.protocol = ip::kProtoTcp;
      info.ttl = 64;
      ++delivered_;
      nodes_[p.to].layer->OnPacket(info, p.bytes, now_);
    }
    a().Poll(now_);
    b().Poll(now_);
    last_step_ = now_;
    if (on_step) on_step(now_);
  }

  LinkOptions link_;
  std::mt19937_64 rng_;
  Node nodes_[2];
  std::priority_queue<InFlight, std::vector<InFlight>, std::greater<InFlight>> wire_;
  uint64_t next_order_ = 0;
  uint64_t delivered_ = 0;
  uint64_t dropped_ = 0;
  Instant now_ = Instant::Zero() + Duration::Seconds(1);
  Instant last_step_ = now_;
};

}  // namespace tcpaas::tcp::testing

#endif  // TCPAAS_STACK_TCP_TESTING_NETWORK_H_
