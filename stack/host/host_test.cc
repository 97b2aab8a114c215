#include "stack/host/host.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "stack/host/fake_device.h"
#include "stack/wire/arp.h"
#include "stack/wire/ethernet.h"

namespace tcpaas {
namespace {

constexpr MacAddress kMacA({0x02, 0, 0, 0, 0, 0x0a});
constexpr MacAddress kMacB({0x02, 0, 0, 0, 0, 0x0b});
constexpr Ipv4Address kIpA = Ipv4Address::FromOctets(198, 18, 0, 1);
constexpr Ipv4Address kIpB = Ipv4Address::FromOctets(198, 18, 0, 2);

HostConfig MakeConfig(MacAddress mac, Ipv4Address ip) {
  HostConfig config;
  config.interface.mac = mac;
  config.interface.address = Ipv4Cidr{ip, 24};
  config.interface.gratuitous_arp = false;  // keeps the transmit queue to what a test causes
  config.tcp.secret = {1, 2};
  return config;
}

std::vector<uint8_t> ArpRequestFrame(MacAddress from_mac, Ipv4Address from_ip, Ipv4Address target) {
  std::vector<uint8_t> frame(wire::kEthernetHeaderSize + wire::kArpPacketSize);
  wire::WriteEthernetHeader(frame.data(), MacAddress::Broadcast(), from_mac, wire::kEtherTypeArp);
  wire::ArpPacket arp;
  arp.op = wire::kArpOpRequest;
  arp.sender_mac = from_mac;
  arp.sender_ip = from_ip;
  arp.target_ip = target;
  arp.WriteTo(frame.data() + wire::kEthernetHeaderSize);
  return frame;
}

// A frame the IP layer drops at once (EtherType 0x88b5, "local experimental"). `tag` is the
// first payload byte, so tests can follow frames through queues.
std::vector<uint8_t> JunkFrame(uint8_t tag) {
  std::vector<uint8_t> frame(60, 0);
  wire::WriteEthernetHeader(frame.data(), kMacA, kMacB, 0x88b5);
  frame[wire::kEthernetHeaderSize] = tag;
  return frame;
}

PacketBuffer TaggedBuffer(uint8_t tag, size_t size = 64) {
  PacketBuffer buffer(size + kDefaultHeadroom, kDefaultHeadroom);
  uint8_t* p = buffer.Append(size);
  for (size_t i = 0; i < size; ++i) p[i] = tag;
  return buffer;
}

TEST(HostTest, AnswersArpRequestThroughTheDevice) {
  Host host(MakeConfig(kMacA, kIpA));
  FakeDevice device(1500, kMacA);
  device.QueueRx(ArpRequestFrame(kMacB, kIpB, kIpA));

  absl::StatusOr<size_t> received = host.ReceiveFrom(device, Instant::Zero());
  ASSERT_TRUE(received.ok()) << received.status();
  EXPECT_EQ(*received, 1u);
  ASSERT_TRUE(host.FlushTo(device, Instant::Zero()).ok());

  ASSERT_EQ(device.transmitted().size(), 1u) << "expected exactly one ARP reply";
  const std::vector<uint8_t>& reply = device.transmitted()[0];
  std::optional<wire::EthernetView> eth = wire::EthernetView::Parse(reply);
  ASSERT_TRUE(eth.has_value());
  EXPECT_EQ(eth->dst(), kMacB);
  EXPECT_EQ(eth->src(), kMacA);
  ASSERT_EQ(eth->ethertype(), wire::kEtherTypeArp);
  std::optional<wire::ArpPacket> arp = wire::ArpPacket::Parse(eth->payload());
  ASSERT_TRUE(arp.has_value());
  EXPECT_EQ(arp->op, wire::kArpOpReply);
  EXPECT_EQ(arp->sender_ip, kIpA);
  EXPECT_EQ(arp->sender_mac, kMacA);
  EXPECT_EQ(arp->target_ip, kIpB);

  const StackCounters& c = host.counters();
  EXPECT_EQ(c.link_frames_rx, 1u);
  EXPECT_EQ(c.link_bytes_rx, wire::kEthernetHeaderSize + wire::kArpPacketSize);
  EXPECT_EQ(c.link_frames_tx, 1u);
  EXPECT_EQ(c.link_bytes_tx, reply.size());
  EXPECT_EQ(host.tx_queue_size(), 0u);
}

TEST(HostTest, ReceiveFromReadsAtMostMaxFrames) {
  Host host(MakeConfig(kMacA, kIpA));
  FakeDevice device(1500, kMacA);
  for (uint8_t i = 0; i < 5; ++i) device.QueueRx(JunkFrame(i));

  EXPECT_EQ(host.ReceiveFrom(device, Instant::Zero(), 3).value(), 3u);
  EXPECT_EQ(device.rx_pending(), 2u);
  EXPECT_EQ(host.ReceiveFrom(device, Instant::Zero(), 3).value(), 2u);
  EXPECT_EQ(host.ReceiveFrom(device, Instant::Zero(), 3).value(), 0u);
  EXPECT_EQ(host.counters().link_frames_rx, 5u);
  EXPECT_EQ(host.counters().link_bytes_rx, 5u * 60);
}

TEST(HostTest, ReceiveFromReturnsDeviceErrors) {
  Host host(MakeConfig(kMacA, kIpA));
  FakeDevice device(1500, kMacA);
  device.QueueRx(JunkFrame(1));
  device.FailNextReceive(absl::UnknownError("EIO"));
  absl::StatusOr<size_t> received = host.ReceiveFrom(device, Instant::Zero());
  EXPECT_EQ(received.status().code(), absl::StatusCode::kUnknown);
  EXPECT_EQ(host.ReceiveFrom(device, Instant::Zero()).value(), 1u) << "the frame stays readable";
}

TEST(HostTest, OversizeFramesAreCountedAndDropped) {
  HostConfig config = MakeConfig(kMacA, kIpA);
  config.interface.mtu = 1000;
  Host host(config);
  FakeDevice device(1000, kMacA);
  std::vector<uint8_t> frame(1000 + wire::kEthernetHeaderSize + 1, 0);
  wire::WriteEthernetHeader(frame.data(), kMacA, kMacB, wire::kEtherTypeIpv4);
  device.QueueRx(frame);
  // Longer than the receive buffer: the device truncates it, and it must still be dropped.
  device.QueueRx(std::vector<uint8_t>(9000, 0));

  EXPECT_EQ(host.ReceiveFrom(device, Instant::Zero()).value(), 2u);
  EXPECT_EQ(host.counters().dropped(DropReason::kLinkRxOversize), 2u);
  EXPECT_EQ(host.counters().link_frames_rx, 2u);
}

TEST(HostTest, TransmitQueueIsBounded) {
  HostConfig config = MakeConfig(kMacA, kIpA);
  config.tx_queue_limit = 4;
  Host host(config);
  for (uint8_t i = 0; i < 6; ++i) host.OutputFrame(TaggedBuffer(i));
  EXPECT_EQ(host.tx_queue_size(), 4u);
  EXPECT_EQ(host.counters().dropped(DropReason::kLinkTxError), 2u);

  // The oldest four survive, in order.
  FakeDevice device(1500, kMacA);
  ASSERT_TRUE(host.FlushTo(device, Instant::Zero()).ok());
  ASSERT_EQ(device.transmitted().size(), 4u);
  for (uint8_t i = 0; i < 4; ++i) EXPECT_EQ(device.transmitted()[i][0], i);
}

struct FlushCase {
  std::string name;
  size_t queued;
  size_t device_room;  // frames the device takes before it reports full
};

class HostFlushTest : public testing::TestWithParam<FlushCase> {};

TEST_P(HostFlushTest, StopsWhenTheDeviceIsFullAndResumesInOrder) {
  const FlushCase& param = GetParam();
  Host host(MakeConfig(kMacA, kIpA));
  for (size_t i = 0; i < param.queued; ++i)
    host.OutputFrame(TaggedBuffer(static_cast<uint8_t>(i), 100));
  FakeDevice device(1500, kMacA);
  device.SetTxRoom(param.device_room);

  ASSERT_TRUE(host.FlushTo(device, Instant::Zero()).ok());
  const size_t sent = std::min(param.queued, param.device_room);
  EXPECT_EQ(device.transmitted().size(), sent);
  EXPECT_EQ(host.tx_queue_size(), param.queued - sent) << "unsent frames stay queued";
  EXPECT_EQ(host.counters().link_frames_tx, sent);
  EXPECT_EQ(host.counters().link_bytes_tx, sent * 100);
  EXPECT_EQ(host.counters().dropped(DropReason::kLinkTxError), 0u) << "a full device drops nothing";

  device.SetTxRoom(1000);
  ASSERT_TRUE(host.FlushTo(device, Instant::Zero()).ok());
  EXPECT_EQ(host.tx_queue_size(), 0u);
  ASSERT_EQ(device.transmitted().size(), param.queued);
  for (size_t i = 0; i < param.queued; ++i) {
    EXPECT_EQ(device.transmitted()[i][0], static_cast<uint8_t>(i))
        << "frame " << i << " out of order";
  }
  EXPECT_EQ(host.counters().link_frames_tx, param.queued);
}

INSTANTIATE_TEST_SUITE_P(
    Grid, HostFlushTest,
    testing::Values(FlushCase{"FullFromTheStart", 5, 0}, FlushCase{"FullMidway", 5, 2},
                    FlushCase{"FullAtTheLastFrame", 5, 4}, FlushCase{"RoomForAll", 5, 5},
                    FlushCase{"ManyFramesSomeRoom", 300, 17}),
    [](const testing::TestParamInfo<FlushCase>& info) { return info.param.name; });

TEST(HostTest, FlushDropsFramesTheDeviceRejectsAndSendsTheRest) {
  Host host(MakeConfig(kMacA, kIpA));
  for (uint8_t i = 0; i < 4; ++i) host.OutputFrame(TaggedBuffer(i));
  FakeDevice device(1500, kMacA);
  device.FailTransmitCall(1, absl::InvalidArgumentError("EMSGSIZE"));

  absl::Status flushed = host.FlushTo(device, Instant::Zero());
  EXPECT_EQ(flushed.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(host.tx_queue_size(), 0u);
  ASSERT_EQ(device.transmitted().size(), 3u);
  EXPECT_EQ(device.transmitted()[0][0], 0);
  EXPECT_EQ(device.transmitted()[1][0], 2);
  EXPECT_EQ(device.transmitted()[2][0], 3);
  EXPECT_EQ(host.counters().dropped(DropReason::kLinkTxError), 1u);
  EXPECT_EQ(host.counters().link_frames_tx, 3u);
}

TEST(HostTest, ConnectToUnresolvedNeighbourSchedulesATimer) {
  Host host(MakeConfig(kMacA, kIpA));
  const Instant now = Instant::Zero() + Duration::Seconds(10);
  ASSERT_TRUE(host.tcp().Connect(Endpoint{kIpB, Port(80)}, {}, now).ok());
  const Instant deadline = host.NextDeadline();
  EXPECT_GT(deadline, now);
  EXPECT_LE(deadline, now + Duration::Seconds(1)) << "ARP retry and SYN RTO are both <= 1s";
  EXPECT_GE(host.tx_queue_size(), 1u) << "an ARP request should be waiting";
}

// Two Hosts joined by two fake devices, driven in virtual time.
class TwoHosts {
 public:
  TwoHosts()
      : a_(MakeConfig(kMacA, kIpA)),
        b_(MakeConfig(kMacB, kIpB)),
        dev_a_(1500, kMacA),
        dev_b_(1500, kMacB) {}

  Host& a() { return a_; }
  Host& b() { return b_; }
  Instant now() const { return now_; }

  // One round: both hosts read, run timers and transmit; the wire carries the frames.
  // Returns false when nothing moved and no timer is pending.
  bool Step() {
    bool moved = false;
    for (auto [host, dev] : {std::pair{&a_, &dev_a_}, std::pair{&b_, &dev_b_}}) {
      host->ReceiveFrom(*dev, now_).IgnoreError();
      host->Poll(now_);
      host->FlushTo(*dev, now_).IgnoreError();
    }
    moved |= Carry(dev_a_, dev_b_);
    moved |= Carry(dev_b_, dev_a_);
    if (moved) {
      now_ += Duration::Micros(50);
      return true;
    }
    const Instant next = Earliest(a_.NextDeadline(), b_.NextDeadline());
    if (next.is_never()) return false;
    now_ = next > now_ ? next : now_ + Duration::Micros(50);
    return true;
  }

 private:
  static bool Carry(FakeDevice& from, FakeDevice& to) {
    bool any = !from.transmitted().empty();
    for (auto& frame : from.transmitted()) to.QueueRx(std::move(frame));
    from.transmitted().clear();
    return any;
  }

  Host a_, b_;
  FakeDevice dev_a_, dev_b_;
  Instant now_ = Instant::Zero() + Duration::Seconds(1);
};

TEST(HostTest, TwoHostsCarryATcpTransferOverFakeDevices) {
  TwoHosts net;
  absl::StatusOr<tcp::ListenerId> listener = net.a().tcp().Listen(Port(9000), 4, {});
  ASSERT_TRUE(listener.ok()) << listener.status();
  absl::StatusOr<tcp::ConnId> client =
      net.b().tcp().Connect(Endpoint{kIpA, Port(9000)}, {}, net.now());
  ASSERT_TRUE(client.ok()) << client.status();

  std::vector<uint8_t> data(300'000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7 + (i >> 9));
  size_t sent = 0;
  bool shut = false;
  std::optional<tcp::ConnId> server;
  std::vector<uint8_t> received;
  bool eof = false;
  std::array<uint8_t, 8192> buf;

  for (int step = 0; step < 200'000 && !eof; ++step) {
    if (sent < data.size()) {
      absl::StatusOr<size_t> n =
          net.b().tcp().Send(*client, absl::MakeConstSpan(data).subspan(sent), net.now());
      ASSERT_TRUE(n.ok()) << n.status();
      sent += *n;
    } else if (!shut) {
      ASSERT_TRUE(net.b().tcp().ShutdownWrite(*client, net.now()).ok());
      shut = true;
    }
    if (!server) server = net.a().tcp().Accept(*listener);
    while (server && !eof) {
      absl::StatusOr<tcp::RecvResult> r =
          net.a().tcp().Recv(*server, absl::MakeSpan(buf), net.now());
      ASSERT_TRUE(r.ok()) << r.status();
      received.insert(received.end(), buf.begin(), buf.begin() + r->bytes);
      eof = r->eof;
      if (r->bytes == 0) break;
    }
    if (!net.Step()) break;
  }
  ASSERT_TRUE(eof) << "no EOF after " << received.size() << " of " << data.size() << " bytes";
  EXPECT_TRUE(received == data) << "received bytes differ from those sent";
  EXPECT_GT(net.a().counters().link_frames_rx, data.size() / 1460);
  EXPECT_EQ(net.a().counters().link_frames_rx, net.b().counters().link_frames_tx);
  EXPECT_EQ(net.b().counters().link_frames_rx, net.a().counters().link_frames_tx);
}

TEST(HostTest, AnswersPingFromAnotherHost) {
  TwoHosts net;
  const std::array<uint8_t, 4> payload = {1, 2, 3, 4};
  ASSERT_TRUE(net.b().ip().SendEchoRequest(kIpA, 7, 1, payload, net.now()).ok());
  for (int i = 0; i < 100 && net.Step(); ++i) {
  }
  EXPECT_EQ(net.a().counters().icmp_echo_replies_tx, 1u);
}

}  // namespace
}  // namespace tcpaas
