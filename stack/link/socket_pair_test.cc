#include "stack/link/socket_pair.h"

#include <fcntl.h>
#include <poll.h>

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::link {
namespace {

const MacAddress kMacA({0x02, 0, 0, 0, 0, 0x0a});
const MacAddress kMacB({0x02, 0, 0, 0, 0, 0x0b});
const Instant kNow = Instant::Zero();

std::vector<uint8_t> Frame(size_t size, uint8_t tag) {
  std::vector<uint8_t> f(size);
  for (size_t i = 0; i < size; ++i) f[i] = static_cast<uint8_t>(tag * 3 + i);
  return f;
}

std::vector<uint8_t> ReceiveOne(Device& d, size_t buf_size = 2048) {
  std::vector<uint8_t> buf(buf_size);
  absl::StatusOr<size_t> n = d.Receive(absl::MakeSpan(buf), kNow);
  EXPECT_TRUE(n.ok()) << n.status();
  buf.resize(n.ok() ? *n : 0);
  return buf;
}

bool Readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

class SocketPairTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto link = CreateSocketPairLink(1500, kMacA, kMacB);
    ASSERT_TRUE(link.ok()) << link.status();
    a_ = std::move(link->first);
    b_ = std::move(link->second);
  }
  std::unique_ptr<Device> a_, b_;
};

TEST_F(SocketPairTest, EndsHaveTheirOwnNonBlockingFds) {
  EXPECT_GE(a_->fd(), 0);
  EXPECT_GE(b_->fd(), 0);
  EXPECT_NE(a_->fd(), b_->fd());
  EXPECT_NE(fcntl(a_->fd(), F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(fcntl(a_->fd(), F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_EQ(a_->mac(), kMacA);
  EXPECT_EQ(b_->mac(), kMacB);
  EXPECT_EQ(a_->mtu(), 1500u);
  EXPECT_EQ(a_->link_layer(), LinkLayer::kEthernet);
}

TEST_F(SocketPairTest, OneFramePerDatagramBothWays) {
  EXPECT_FALSE(Readable(b_->fd()));
  EXPECT_TRUE(ReceiveOne(*b_).empty());  // nothing yet: 0, not an error
  for (uint8_t i = 0; i < 5; ++i) ASSERT_TRUE(a_->Transmit(Frame(60 + i * 300, i), kNow).ok());
  EXPECT_TRUE(Readable(b_->fd()));
  for (uint8_t i = 0; i < 5; ++i) EXPECT_EQ(ReceiveOne(*b_), Frame(60 + i * 300, i));
  EXPECT_FALSE(Readable(b_->fd()));
  ASSERT_TRUE(b_->Transmit(Frame(1514, 9), kNow).ok());
  EXPECT_EQ(ReceiveOne(*a_), Frame(1514, 9));
}

TEST_F(SocketPairTest, ShortBufferTruncatesOneFrameOnly) {
  ASSERT_TRUE(a_->Transmit(Frame(200, 1), kNow).ok());
  ASSERT_TRUE(a_->Transmit(Frame(80, 2), kNow).ok());
  const std::vector<uint8_t> head = ReceiveOne(*b_, 16);
  const std::vector<uint8_t> whole = Frame(200, 1);
  EXPECT_EQ(head, std::vector<uint8_t>(whole.begin(), whole.begin() + 16));
  EXPECT_EQ(ReceiveOne(*b_), Frame(80, 2));  // the next frame is intact
}

TEST_F(SocketPairTest, RefusesOversizedAndEmptyFrames) {
  EXPECT_EQ(a_->Transmit(Frame(1515, 0), kNow).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(a_->Transmit({}, kNow).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SocketPairTest, FullSendBufferIsUnavailableUntilTheOtherEndReads) {
  const std::vector<uint8_t> frame = Frame(1514, 3);
  int sent = 0;
  absl::Status status;
  while ((status = a_->Transmit(frame, kNow)).ok()) {
    ASSERT_LT(++sent, 1'000'000) << "the send buffer never filled";
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_GT(sent, 10);  // room for at least an initial window of full frames
  for (int i = 0; i < sent; ++i) ASSERT_EQ(ReceiveOne(*b_), frame) << i;
  EXPECT_TRUE(ReceiveOne(*b_).empty());
  EXPECT_TRUE(a_->Transmit(frame, kNow).ok());
}

TEST_F(SocketPairTest, ClosedPeerIsAnErrorAfterQueuedFrames) {
  ASSERT_TRUE(b_->Transmit(Frame(60, 5), kNow).ok());
  b_.reset();
  EXPECT_EQ(ReceiveOne(*a_), Frame(60, 5));  // sent before the close: still delivered
  std::vector<uint8_t> buf(2048);
  EXPECT_EQ(a_->Receive(absl::MakeSpan(buf), kNow).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(a_->Transmit(Frame(60, 6), kNow).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(SocketPairLinkTest, ZeroMtuIsRejected) {
  EXPECT_EQ(CreateSocketPairLink(0, kMacA, kMacB).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tcpaas::link
