#include "stack/link/pcap_writer.h"

#include <sys/stat.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "stack/link/memory_link.h"
#include "stack/wire/ipv4.h"
#include "tests/support/command.h"
#include "tests/support/frames.h"

namespace tcpaas::link {
namespace {

const MacAddress kOurMac({0x02, 0, 0, 0, 0, 0x02});
const MacAddress kPeerMac({0x02, 0, 0, 0, 0, 0x01});
const Ipv4Address kOurIp = Ipv4Address::FromOctets(198, 18, 0, 2);
const Ipv4Address kPeerIp = Ipv4Address::FromOctets(198, 18, 0, 1);

std::string TempPath(const std::string& name) {
  return absl::StrCat(::testing::TempDir(), "/tcpaas_", getpid(), "_", name);
}

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

uint32_t Le32(const std::vector<uint8_t>& b, size_t at) {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (static_cast<uint32_t>(b[at + 3]) << 24);
}

std::vector<uint8_t> Pattern(size_t size) {
  std::vector<uint8_t> f(size);
  for (size_t i = 0; i < size; ++i) f[i] = static_cast<uint8_t>(i);
  return f;
}

// An IPv4 datagram of an experimental protocol (RFC 3692) with 8 payload bytes.
std::vector<uint8_t> Ipv4Packet() {
  std::vector<uint8_t> p(28, 0xab);
  wire::Ipv4Header h;
  h.total_length = 28;
  h.protocol = 253;
  h.src = kOurIp;
  h.dst = kPeerIp;
  h.WriteTo(p.data());
  return p;
}

TEST(PcapFileTest, WritesTheGlobalHeaderAndRecords) {
  const std::string path = TempPath("records.pcap");
  {
    auto file =
        PcapFile::Open(path, PcapFile::Options{.link_type = kLinkTypeEthernet, .snaplen = 64});
    ASSERT_TRUE(file.ok()) << file.status();
    ASSERT_TRUE((*file)->Write(Pattern(60), Instant::FromNanos(1'500'000'007)).ok());
    ASSERT_TRUE((*file)->Write(Pattern(100), Instant::FromNanos(2'000'000'000)).ok());
    EXPECT_EQ((*file)->records_written(), 2u);
    EXPECT_EQ((*file)->bytes_written(), 24u + 16 + 60 + 16 + 64);
  }  // closing flushes
  const std::vector<uint8_t> b = ReadFile(path);
  ASSERT_EQ(b.size(), 24u + 16 + 60 + 16 + 64);
  EXPECT_EQ(Le32(b, 0), 0xa1b23c4du);  // nanosecond-resolution pcap
  EXPECT_EQ(b[4] | (b[5] << 8), 2);    // version 2.4
  EXPECT_EQ(b[6] | (b[7] << 8), 4);
  EXPECT_EQ(Le32(b, 16), 64u);  // snaplen
  EXPECT_EQ(Le32(b, 20), 1u);   // LINKTYPE_ETHERNET
  EXPECT_EQ(Le32(b, 24), 1u);   // seconds
  EXPECT_EQ(Le32(b, 28), 500'000'007u);
  EXPECT_EQ(Le32(b, 32), 60u);  // captured
  EXPECT_EQ(Le32(b, 36), 60u);  // on the wire
  EXPECT_EQ(std::vector<uint8_t>(b.begin() + 40, b.begin() + 100), Pattern(60));
  EXPECT_EQ(Le32(b, 100), 2u);
  EXPECT_EQ(Le32(b, 104), 0u);
  EXPECT_EQ(Le32(b, 108), 64u);   // cut to the snaplen
  EXPECT_EQ(Le32(b, 112), 100u);  // but the real length is kept
  std::remove(path.c_str());
}

TEST(PcapFileTest, StopsAtMaxBytesAndSaysSo) {
  const std::string path = TempPath("bounded.pcap");
  const uint64_t max = 24 + 2 * (16 + 60) + 10;
  auto file = PcapFile::Open(path, PcapFile::Options{.max_bytes = max});
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE((*file)->Write(Pattern(60), Instant::Zero()).ok());
  EXPECT_TRUE((*file)->Write(Pattern(60), Instant::Zero()).ok());
  const absl::Status full = (*file)->Write(Pattern(60), Instant::Zero());
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(full.message().find("limit"), std::string::npos) << full;
  // Once full, it stays full, even for a record that would still fit.
  EXPECT_EQ((*file)->Write(Pattern(1), Instant::Zero()).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE((*file)->limit_reached());
  EXPECT_EQ((*file)->records_refused(), 2u);
  ASSERT_TRUE((*file)->Flush().ok());
  EXPECT_EQ(ReadFile(path).size(), 24u + 2 * (16 + 60));
  std::remove(path.c_str());
}

TEST(PcapFileTest, OpenErrorsNameThePath) {
  auto missing_dir = PcapFile::Open("/nonexistent-dir/x.pcap", kLinkTypeEthernet);
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_NE(missing_dir.status().message().find("/nonexistent-dir/x.pcap"), std::string::npos);
  EXPECT_EQ(
      PcapFile::Open(TempPath("tiny.pcap"), PcapFile::Options{.max_bytes = 10}).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(PcapWriterTest, RecordsWhatTheInnerDeviceSendsAndReceives) {
  const std::string path = TempPath("writer.pcap");
  MemoryLinkOptions options;
  options.queue_limit = 1;
  auto [a, b] = CreateMemoryLinkPair(options);
  auto writer = PcapWriter::Create(std::move(a), path);
  ASSERT_TRUE(writer.ok()) << writer.status();
  PcapWriter& w = **writer;

  ASSERT_TRUE(w.Transmit(Pattern(60), Instant::FromNanos(10)).ok());
  // Refused by the inner device (queue full): it went nowhere, so it is not recorded.
  EXPECT_EQ(w.Transmit(Pattern(61), Instant::FromNanos(20)).code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(b->Transmit(Pattern(70), Instant::FromNanos(30)).ok());
  std::vector<uint8_t> buf(2048);
  ASSERT_EQ(*w.Receive(absl::MakeSpan(buf), Instant::FromNanos(40)), 70u);
  ASSERT_EQ(*w.Receive(absl::MakeSpan(buf), Instant::FromNanos(50)), 0u);  // nothing: no record
  EXPECT_EQ(w.file().records_written(), 2u);
  ASSERT_TRUE(w.file().Flush().ok());

  const std::vector<uint8_t> bytes = ReadFile(path);
  ASSERT_EQ(bytes.size(), 24u + 16 + 60 + 16 + 70);
  EXPECT_EQ(Le32(bytes, 20), kLinkTypeEthernet);
  EXPECT_EQ(Le32(bytes, 28), 10u);           // transmit stamped with its `now`
  EXPECT_EQ(Le32(bytes, 24 + 76 + 4), 40u);  // receive too
  EXPECT_EQ(Le32(bytes, 24 + 76 + 8), 70u);
  std::remove(path.c_str());
}

TEST(PcapWriterTest, ChoosesRecordsAndLinkType) {
  const std::string path = TempPath("raw.pcap");
  MemoryLinkOptions options;
  options.link_layer = LinkLayer::kIp;
  auto [a, b] = CreateMemoryLinkPair(options);
  auto file = PcapFile::Open(path, PcapLinkType(LinkLayer::kIp));
  ASSERT_TRUE(file.ok());
  std::shared_ptr<PcapFile> shared = *std::move(file);
  // Both ends record only what they transmit into one file: the whole link, once.
  PcapWriter wa(std::move(a), shared, PcapWriter::Record::kTransmitted);
  PcapWriter wb(std::move(b), shared, PcapWriter::Record::kTransmitted);
  std::vector<uint8_t> buf(2048);
  ASSERT_TRUE(wa.Transmit(Pattern(40), Instant::Zero()).ok());
  ASSERT_EQ(*wb.Receive(absl::MakeSpan(buf), Instant::Zero()), 40u);
  ASSERT_TRUE(wb.Transmit(Pattern(20), Instant::Zero()).ok());
  ASSERT_EQ(*wa.Receive(absl::MakeSpan(buf), Instant::Zero()), 20u);
  EXPECT_EQ(shared->records_written(), 2u);
  ASSERT_TRUE(shared->Flush().ok());
  EXPECT_EQ(Le32(ReadFile(path), 20), kLinkTypeRaw);
  std::remove(path.c_str());
}

TEST(PcapWriterTest, FullFileDoesNotDisturbTheDevice) {
  auto [a, b] = CreateMemoryLinkPair(MemoryLinkOptions());
  const std::string path = TempPath("full.pcap");
  auto writer = PcapWriter::Create(std::move(a), path, /*max_bytes=*/24 + 16 + 60);
  ASSERT_TRUE(writer.ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE((*writer)->Transmit(Pattern(60), Instant::Zero()).ok());
  std::vector<uint8_t> buf(2048);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(*b->Receive(absl::MakeSpan(buf), Instant::Zero()), 60u);
  EXPECT_EQ((*writer)->file_status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ((*writer)->file().records_written(), 1u);
  std::remove(path.c_str());
}

// The files must be readable by the standard tools, not just by our own reader.
TEST(PcapFileTest, TcpdumpAndTsharkReadOurFiles) {
  const bool have_tcpdump = test::HaveProgram("tcpdump");
  const bool have_tshark = test::HaveProgram("tshark");
  if (!have_tcpdump && !have_tshark) GTEST_SKIP() << "neither tcpdump nor tshark is installed";

  const std::string eth_path = TempPath("arp.pcap");
  const std::string raw_path = TempPath("ip.pcap");
  {
    auto eth = PcapFile::Open(eth_path, kLinkTypeEthernet);
    auto raw = PcapFile::Open(raw_path, kLinkTypeRaw);
    ASSERT_TRUE(eth.ok() && raw.ok());
    ASSERT_TRUE((*eth)
                    ->Write(test::ArpRequestFrame(kOurMac, kOurIp, kPeerIp),
                            Instant::FromNanos(1'000'000'000))
                    .ok());
    ASSERT_TRUE((*eth)
                    ->Write(test::ArpReplyFrame(kPeerMac, kPeerIp, kOurMac, kOurIp),
                            Instant::FromNanos(1'000'250'000))
                    .ok());
    ASSERT_TRUE((*raw)->Write(Ipv4Packet(), Instant::FromNanos(5)).ok());
  }
  if (have_tcpdump) {
    const test::CommandResult eth = test::RunCommand({"tcpdump", "-r", eth_path, "-nn", "-tt"});
    ASSERT_EQ(eth.exit_code, 0) << eth.output;
    EXPECT_NE(eth.output.find("link-type EN10MB"), std::string::npos) << eth.output;
    EXPECT_NE(eth.output.find("1.000000 ARP, Request who-has 198.18.0.1 tell 198.18.0.2"),
              std::string::npos)
        << eth.output;
    EXPECT_NE(eth.output.find("1.000250 ARP, Reply 198.18.0.1 is-at 02:00:00:00:00:01"),
              std::string::npos)
        << eth.output;
    const test::CommandResult raw = test::RunCommand({"tcpdump", "-r", raw_path, "-nn"});
    ASSERT_EQ(raw.exit_code, 0) << raw.output;
    EXPECT_NE(raw.output.find("link-type RAW"), std::string::npos) << raw.output;
    EXPECT_NE(raw.output.find("198.18.0.2 > 198.18.0.1"), std::string::npos) << raw.output;
  }
  if (have_tshark) {
    const test::CommandResult eth = test::RunCommand({"tshark", "-r", eth_path, "-n"});
    ASSERT_EQ(eth.exit_code, 0) << eth.output;
    EXPECT_NE(eth.output.find("Who has 198.18.0.1? Tell 198.18.0.2"), std::string::npos)
        << eth.output;
    EXPECT_NE(eth.output.find("198.18.0.1 is at 02:00:00:00:00:01"), std::string::npos)
        << eth.output;
  }
  std::remove(eth_path.c_str());
  std::remove(raw_path.c_str());
}

}  // namespace
}  // namespace tcpaas::link
