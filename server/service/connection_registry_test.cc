#include "server/service/connection_registry.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "stack/host/host.h"

namespace tcpaas::server {
namespace {

// Records what it is told; optionally acts on the registry when an event arrives.
class FakeObserver : public ConnectionObserver {
 public:
  void OnConnectionEvent(const tcp::TcpEvent& event, Host& host, Instant now) override {
    events.push_back(event.type);
    if (on_event) on_event(event);
  }
  void OnConnectionReleased(const absl::Status& why, Host& host, Instant now) override {
    released.push_back(why);
  }
  std::vector<tcp::TcpEventType> events;
  std::vector<absl::Status> released;
  std::function<void(const tcp::TcpEvent&)> on_event;
};

class ConnectionRegistryTest : public testing::Test {
 protected:
  static ConnectionRegistry::IdSource CountingIds() {
    return [n = 0]() mutable { return absl::StrCat("id-", n++); };
  }
  static tcp::TcpEvent Event(tcp::TcpEventType type, tcp::ConnId conn, uint64_t acked = 0,
                             CloseReason reason = CloseReason::kNormal) {
    return tcp::TcpEvent{.type = type, .conn = conn, .reason = reason, .bytes_acked = acked};
  }

  Host host_{HostConfig{}};
  Instant now_ = Instant::Zero();
  const tcp::ConnId a_{1, 1};
  const tcp::ConnId b_{2, 1};
};

TEST_F(ConnectionRegistryTest, AddsFindsAndReleases) {
  ConnectionRegistry registry(10, CountingIds());
  auto entry = registry.Add(a_, ConnectionDirection::kActive);
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ((*entry)->id, "id-0");
  EXPECT_EQ(registry.Find("id-0"), *entry);
  EXPECT_EQ(registry.Find(a_), *entry);
  EXPECT_EQ(registry.Find("id-1"), nullptr);
  EXPECT_EQ(registry.Find(b_), nullptr);
  registry.Release(*entry, absl::OkStatus(), host_, now_);
  EXPECT_EQ(registry.Find("id-0"), nullptr);
  EXPECT_EQ(registry.Find(a_), nullptr);
  EXPECT_EQ(registry.size(), 0u);
}

TEST_F(ConnectionRegistryTest, RefusesBeyondTheLimitAndDuplicateHandles) {
  ConnectionRegistry registry(1, CountingIds());
  ASSERT_TRUE(registry.Add(a_, ConnectionDirection::kActive).ok());
  EXPECT_TRUE(registry.full());
  EXPECT_EQ(registry.Add(b_, ConnectionDirection::kPassive).status().code(),
            absl::StatusCode::kResourceExhausted);
  ConnectionRegistry roomy(5, CountingIds());
  ASSERT_TRUE(roomy.Add(a_, ConnectionDirection::kActive).ok());
  EXPECT_EQ(roomy.Add(a_, ConnectionDirection::kActive).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(ConnectionRegistryTest, RealIdsAreRandom) {
  ConnectionRegistry registry(10);
  auto first = registry.Add(a_, ConnectionDirection::kActive);
  auto second = registry.Add(b_, ConnectionDirection::kActive);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ((*first)->id.size(), 32u);
  EXPECT_NE((*first)->id, (*second)->id);
}

TEST_F(ConnectionRegistryTest, EventsUpdateFactsAndReachAttachedObserversOnly) {
  ConnectionRegistry registry(10, CountingIds());
  ConnectionEntry* entry = *registry.Add(a_, ConnectionDirection::kActive);
  FakeObserver attached, detached;
  registry.Attach(entry, &attached);
  registry.Attach(entry, &attached);  // idempotent
  registry.Attach(entry, &detached);
  registry.Detach(entry, &detached);

  registry.Dispatch(Event(tcp::TcpEventType::kEstablished, a_), host_, now_);
  registry.Dispatch(Event(tcp::TcpEventType::kPeerFin, a_), host_, now_);
  registry.Dispatch(Event(tcp::TcpEventType::kFinAcked, a_, 42), host_, now_);
  registry.Dispatch(Event(tcp::TcpEventType::kReadable, b_), host_, now_);  // unregistered

  EXPECT_EQ(attached.events.size(), 3u);
  EXPECT_TRUE(detached.events.empty());
  EXPECT_TRUE(entry->facts.established);
  EXPECT_TRUE(entry->facts.peer_fin);
  EXPECT_TRUE(entry->facts.fin_acked);
  EXPECT_EQ(entry->facts.bytes_acked, 42u);
  EXPECT_TRUE(entry->Finished());

  registry.Dispatch(Event(tcp::TcpEventType::kClosed, a_, 43, CloseReason::kReset), host_, now_);
  EXPECT_TRUE(entry->facts.closed);
  EXPECT_EQ(entry->facts.close_reason, CloseReason::kReset);
  EXPECT_EQ(entry->facts.bytes_acked, 43u);
}

TEST_F(ConnectionRegistryTest, DetachClearsTheStreamSlots) {
  ConnectionRegistry registry(10, CountingIds());
  ConnectionEntry* entry = *registry.Add(a_, ConnectionDirection::kActive);
  FakeObserver stream;
  entry->sender = &stream;
  entry->receiver = &stream;
  registry.Attach(entry, &stream);
  registry.Detach(entry, &stream);
  EXPECT_EQ(entry->sender, nullptr);
  EXPECT_EQ(entry->receiver, nullptr);
  EXPECT_TRUE(entry->observers.empty());
}

TEST_F(ConnectionRegistryTest, ReleaseTellsEachObserverOnceAfterDetachingIt) {
  ConnectionRegistry registry(10, CountingIds());
  ConnectionEntry* entry = *registry.Add(a_, ConnectionDirection::kActive);
  FakeObserver first, second;
  registry.Attach(entry, &first);
  registry.Attach(entry, &second);
  registry.Release(entry, absl::AbortedError("closed by Close"), host_, now_);
  ASSERT_EQ(first.released.size(), 1u);
  ASSERT_EQ(second.released.size(), 1u);
  EXPECT_EQ(first.released[0].code(), absl::StatusCode::kAborted);
  // Gone: later events of the handle reach nobody.
  registry.Dispatch(Event(tcp::TcpEventType::kReadable, a_), host_, now_);
  EXPECT_TRUE(first.events.empty());
}

TEST_F(ConnectionRegistryTest, AnObserverMayReleaseTheEntryDuringDispatch) {
  ConnectionRegistry registry(10, CountingIds());
  ConnectionEntry* entry = *registry.Add(a_, ConnectionDirection::kActive);
  FakeObserver releaser, bystander;
  registry.Attach(entry, &releaser);
  registry.Attach(entry, &bystander);
  releaser.on_event = [&](const tcp::TcpEvent&) {
    registry.Detach(entry, &releaser);
    registry.Release(entry, absl::CancelledError("done"), host_, now_);
  };
  registry.Dispatch(Event(tcp::TcpEventType::kClosed, a_), host_, now_);
  EXPECT_EQ(releaser.events.size(), 1u);
  // The bystander heard of the release, not of the event (the entry was gone by its turn).
  EXPECT_TRUE(bystander.events.empty());
  EXPECT_EQ(bystander.released.size(), 1u);
  EXPECT_EQ(registry.size(), 0u);
}

TEST_F(ConnectionRegistryTest, AnObserverMayDetachAnotherDuringDispatch) {
  ConnectionRegistry registry(10, CountingIds());
  ConnectionEntry* entry = *registry.Add(a_, ConnectionDirection::kActive);
  FakeObserver first, second;
  registry.Attach(entry, &first);
  registry.Attach(entry, &second);
  first.on_event = [&](const tcp::TcpEvent&) { registry.Detach(entry, &second); };
  registry.Dispatch(Event(tcp::TcpEventType::kWritable, a_), host_, now_);
  EXPECT_EQ(first.events.size(), 1u);
  EXPECT_TRUE(second.events.empty());
}

TEST_F(ConnectionRegistryTest, EntriesComeInRegistrationOrder) {
  ConnectionRegistry registry(10);  // random ids: order must not follow them
  std::vector<ConnectionEntry*> added;
  for (uint32_t i = 1; i <= 8; ++i) {
    added.push_back(*registry.Add(tcp::ConnId{i, 1}, ConnectionDirection::kActive));
  }
  EXPECT_EQ(registry.Entries(), added);
}

TEST_F(ConnectionRegistryTest, BytesAckedSoFarTakesTheMostOfWhatIsKnown) {
  ConnectionRegistry registry(10, CountingIds());
  EXPECT_EQ(BytesAckedSoFar(nullptr, &host_, 7), 7u) << "no entry: what the call saw";
  auto entry = registry.Add(a_, ConnectionDirection::kActive);
  ASSERT_TRUE(entry.ok()) << entry.status();
  (*entry)->facts.bytes_acked = 100;
  EXPECT_EQ(BytesAckedSoFar(*entry, nullptr, 7), 100u) << "the facts from kFinAcked/kClosed";
  EXPECT_EQ(BytesAckedSoFar(*entry, nullptr, 250), 250u) << "never less than reported before";
  // a_ is not a stack connection: the host has no stats for it, so the facts stand.
  EXPECT_EQ(BytesAckedSoFar(*entry, &host_, 7), 100u);
}

}  // namespace
}  // namespace tcpaas::server
