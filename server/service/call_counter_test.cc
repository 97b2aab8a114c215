#include "server/service/call_counter.h"

#include "gtest/gtest.h"

namespace tcpaas::server {
namespace {

TEST(CallCounterTest, CountsByMethodAndCodeInSortedOrder) {
  CallCounter counter;
  counter.Record("Send", grpc::StatusCode::OK);
  counter.Record("Connect", grpc::StatusCode::UNAVAILABLE);
  counter.Record("Send", grpc::StatusCode::OK);
  counter.Record("Connect", grpc::StatusCode::OK);
  const std::vector<CallCount> counts = counter.Snapshot();
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts[0].method, "Connect");
  EXPECT_EQ(counts[0].code, "OK");
  EXPECT_EQ(counts[0].count, 1u);
  EXPECT_EQ(counts[1].code, "UNAVAILABLE");
  EXPECT_EQ(counts[2].method, "Send");
  EXPECT_EQ(counts[2].count, 2u);
}

}  // namespace
}  // namespace tcpaas::server
