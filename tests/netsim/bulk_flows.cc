#include "tests/netsim/bulk_flows.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "stack/base/random.h"
#include "stack/tcp/tcp_layer.h"
#include "tests/sim/sim_hosts.h"

namespace tcpaas::netsim {
namespace {

constexpr uint16_t kFirstFlowPort = 40000;
// Bytes the sender makes at once and the receiver reads at once.
constexpr size_t kChunkBytes = 64 * 1024;

std::string TimeString(Instant t) { return (t - Instant::Zero()).ToString(); }

}  // namespace

Port FlowLocalPort(size_t flow) { return Port(static_cast<uint16_t>(kFirstFlowPort + flow)); }

uint64_t FlowPatternKey(uint64_t seed, size_t flow) {
  uint64_t state = seed ^ (0xb01cULL << 48) ^ flow;
  return SplitMix64(&state);
}

// --- Sender --------------------------------------------------------------------------------

BulkSender::BulkSender(Host* host, std::vector<FlowPlan> plans,
                       const tcp::ConnectionOptions& options, uint64_t seed)
    : host_(host), options_(options) {
  flows_.reserve(plans.size());
  for (size_t i = 0; i < plans.size(); ++i) {
    flows_.push_back(Flow{plans[i], BytePattern(FlowPatternKey(seed, i))});
  }
}

void BulkSender::Fail(std::string why) {
  if (failure_.empty()) failure_ = absl::StrCat("sender: ", why);
}

void BulkSender::OnTcpEvent(const tcp::TcpEvent& e) {
  if (e.type == tcp::TcpEventType::kClosed && e.reason != CloseReason::kNormal) {
    Fail(absl::StrCat("connection closed abnormally: ", std::string(CloseReasonName(e.reason)),
                      " (bytes_acked=", e.bytes_acked, ")"));
  }
}

bool BulkSender::Step(Instant now) {
  if (!failure_.empty()) return false;
  bool progress = false;
  for (size_t i = 0; i < flows_.size() && failure_.empty(); ++i) {
    progress |= StepFlow(flows_[i], i, now);
  }
  return progress;
}

bool BulkSender::StepFlow(Flow& flow, size_t index, Instant now) {
  tcp::TcpLayer& tcp = host_->tcp();
  bool progress = false;
  if (!flow.conn.valid()) {
    if (now < flow.plan.start) return false;
    auto c = tcp.Connect(Endpoint{sim::kAddrB, kBulkPort}, options_, now, FlowLocalPort(index));
    if (!c.ok()) {
      Fail(absl::StrCat("connect of flow ", index, ": ", c.status().ToString()));
      return true;
    }
    flow.conn = *c;
    progress = true;
  }
  while (flow.sent < flow.plan.bytes) {
    const uint64_t chunk_end = flow.chunk_offset + flow.chunk.size();
    if (flow.sent == chunk_end) {
      // The whole chunk is in the send buffer: make the next one.
      flow.chunk_offset = flow.sent;
      flow.chunk.resize(std::min<uint64_t>(kChunkBytes, flow.plan.bytes - flow.sent));
      flow.pattern.Fill(flow.chunk_offset, absl::MakeSpan(flow.chunk));
    }
    const size_t from = flow.sent - flow.chunk_offset;
    auto n = tcp.Send(flow.conn, absl::MakeConstSpan(flow.chunk).subspan(from), now);
    if (!n.ok()) {
      Fail(absl::StrCat("send on flow ", index, " after ", flow.sent,
                        " bytes: ", n.status().ToString()));
      return true;
    }
    if (*n == 0) break;
    flow.sent += *n;
    progress = true;
  }
  return progress;
}

Instant BulkSender::NextWakeup(Instant now) const {
  Instant next = Instant::Never();
  for (const Flow& flow : flows_) {
    if (!flow.conn.valid() && flow.plan.start > now) next = Earliest(next, flow.plan.start);
  }
  return next;
}

std::string BulkSender::Progress() const {
  std::string out = "sender:";
  for (size_t i = 0; i < flows_.size(); ++i) {
    absl::StrAppend(&out, " flow ", i, " sent ", flows_[i].sent, ";");
  }
  return out;
}

// --- Receiver ------------------------------------------------------------------------------

BulkReceiver::BulkReceiver(Host* host, size_t flows, const tcp::ConnectionOptions& options,
                           uint64_t seed, std::vector<Instant> marks)
    : host_(host),
      options_(options),
      marks_(std::move(marks)),
      conns_(flows),
      received_(flows),
      read_buf_(kChunkBytes) {
  for (size_t i = 0; i < flows; ++i) patterns_.emplace_back(FlowPatternKey(seed, i));
}

absl::Status BulkReceiver::Open() {
  auto l = host_->tcp().Listen(kBulkPort, static_cast<int>(conns_.size()), options_);
  if (!l.ok()) return l.status();
  listener_ = *l;
  return absl::OkStatus();
}

void BulkReceiver::Fail(std::string why) {
  if (failure_.empty()) failure_ = absl::StrCat("receiver: ", why);
}

void BulkReceiver::OnTcpEvent(const tcp::TcpEvent& e) {
  if (e.type == tcp::TcpEventType::kClosed && e.reason != CloseReason::kNormal) {
    Fail(absl::StrCat("connection closed abnormally: ", std::string(CloseReasonName(e.reason))));
  }
}

bool BulkReceiver::Step(Instant now) {
  if (!failure_.empty()) return false;
  tcp::TcpLayer& tcp = host_->tcp();
  bool progress = false;
  // Marks first: what was read at earlier instants counts before the mark.
  while (next_mark_ < marks_.size() && now >= marks_[next_mark_]) {
    for (ReceivedFlow& r : received_) r.bytes_at_mark.push_back(r.bytes);
    ++next_mark_;
  }
  while (std::optional<tcp::ConnId> c = tcp.Accept(listener_)) {
    progress = true;
    auto stats = tcp.GetStats(*c);
    if (!stats.ok()) {
      Fail(absl::StrCat("stats of an accepted connection: ", stats.status().ToString()));
      return true;
    }
    const size_t flow = stats->tuple.remote.port.value() - FlowLocalPort(0).value();
    if (flow >= conns_.size() || conns_[flow].valid()) {
      Fail(absl::StrCat("unexpected connection from ", stats->tuple.remote.ToString()));
      return true;
    }
    conns_[flow] = *c;
    received_[flow].accepted = true;
  }
  for (size_t i = 0; i < conns_.size() && failure_.empty(); ++i) {
    if (conns_[i].valid()) progress |= ReadFlow(i, now);
  }
  return progress;
}

bool BulkReceiver::ReadFlow(size_t flow, Instant now) {
  ReceivedFlow& r = received_[flow];
  bool progress = false;
  while (true) {
    auto result = host_->tcp().Recv(conns_[flow], absl::MakeSpan(read_buf_), now);
    if (!result.ok()) {
      Fail(absl::StrCat("recv on flow ", flow, " after ", r.bytes,
                        " bytes: ", result.status().ToString()));
      return true;
    }
    if (result->bytes > 0) {
      const auto data = absl::MakeConstSpan(read_buf_).first(result->bytes);
      if (std::optional<uint64_t> bad = patterns_[flow].FirstMismatch(r.bytes, data)) {
        Fail(absl::StrCat("flow ", flow, " delivered a wrong byte at stream offset ", *bad,
                          " (read of ", result->bytes, " bytes at offset ", r.bytes, ")"));
        return true;
      }
      r.bytes += result->bytes;
      r.last_byte = now;
      progress = true;
    }
    if (result->eof) {
      Fail(absl::StrCat("flow ", flow, " ended (FIN) after ", r.bytes, " bytes"));
      return true;
    }
    if (result->bytes == 0) break;
  }
  return progress;
}

Instant BulkReceiver::NextWakeup(Instant now) const {
  if (next_mark_ < marks_.size() && marks_[next_mark_] > now) return marks_[next_mark_];
  return Instant::Never();
}

std::string BulkReceiver::Progress() const {
  std::string out = "receiver:";
  for (size_t i = 0; i < received_.size(); ++i) {
    absl::StrAppend(&out, " flow ", i, " read ", received_[i].bytes,
                    received_[i].last_byte.is_never()
                        ? ""
                        : absl::StrCat(" (last at ", TimeString(received_[i].last_byte), ")"),
                    ";");
  }
  return out;
}

}  // namespace tcpaas::netsim
