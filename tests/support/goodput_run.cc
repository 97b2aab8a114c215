#include "tests/support/goodput_run.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "stack/runtime/clock.h"
#include "tests/support/pattern_stream.h"
#include "tests/support/sha256.h"

namespace tcpaas::test {
namespace {

// Bytes per write() of either sender and per read() of the receiver.
constexpr size_t kWriteChunk = 256 * 1024;
constexpr size_t kReadChunk = 256 * 1024;

using WriteFn = std::function<absl::Status(absl::Span<const uint8_t>)>;
using FinishFn = std::function<absl::Status()>;

// Installs the loss rules, sends the payload from a second thread while this one reads it at
// the receiver until EOF, then takes the rules' counters and removes the rules.
RunResult Measure(SharedPathNetwork& network, KernelSocket& receiver, const Payload& payload,
                  int per_mille, const WriteFn& write, const FinishFn& finish) {
  RunResult result;
  if (absl::Status s = network.SetLoss(per_mille); !s.ok()) {
    result.status = s;
    return result;
  }
  const size_t size = payload.bytes.size();
  const Instant start = runtime::MonotonicNow();
  absl::Status send_status;
  std::thread sender([&] {
    for (size_t done = 0; done < size && send_status.ok(); done += kWriteChunk) {
      send_status = write(
          absl::MakeConstSpan(payload.bytes).subspan(done, std::min(kWriteChunk, size - done)));
    }
    if (send_status.ok()) send_status = finish();
    // A sender that gave up would leave the receiver waiting for its stall timeout.
    if (!send_status.ok()) ::shutdown(receiver.fd(), SHUT_RDWR);
  });

  std::vector<uint8_t> got(size);
  std::vector<uint8_t> excess(kReadChunk);  // bytes beyond the payload: an error, but read them
  uint64_t excess_bytes = 0;
  Instant last_byte = start;
  absl::Status receive_status;
  for (;;) {
    const uint64_t received = result.bytes_received;
    absl::Span<uint8_t> into =
        received < size
            ? absl::MakeSpan(got).subspan(received, std::min<uint64_t>(kReadChunk, size - received))
            : absl::MakeSpan(excess);
    auto n = receiver.ReadSome(into);
    if (!n.ok()) {
      receive_status = n.status();
      break;
    }
    if (*n == 0) break;
    last_byte = runtime::MonotonicNow();
    if (received < size) {
      result.bytes_received += *n;
    } else {
      excess_bytes += *n;
    }
  }
  sender.join();
  result.elapsed = last_byte - start;

  auto counters = network.ReadLossCounters();
  absl::Status cleared = network.ClearLoss();
  if (counters.ok()) result.loss = *counters;

  result.sha256_received =
      Sha256::Hex(Sha256::Of(absl::MakeConstSpan(got).first(result.bytes_received)));
  if (!send_status.ok()) {
    result.status =
        absl::Status(send_status.code(), absl::StrCat("sender: ", send_status.message()));
  } else if (!receive_status.ok()) {
    result.status =
        absl::Status(receive_status.code(), absl::StrCat("receiver: ", receive_status.message()));
  } else if (result.bytes_received != size || excess_bytes != 0) {
    result.status = absl::DataLossError(absl::StrCat(
        "the receiver got ", result.bytes_received + excess_bytes, " bytes of ", size));
  } else if (result.sha256_received != payload.sha256) {
    result.status = absl::DataLossError(absl::StrCat("SHA-256 differs: sent ", payload.sha256,
                                                     ", received ", result.sha256_received));
  } else if (!counters.ok()) {
    result.status = counters.status();
  } else {
    result.status = cleared;
  }
  return result;
}

std::string LinuxSenderNotes(const KernelSocket& sender) {
  char name[16] = {};  // TCP_CA_NAME_MAX in <linux/tcp.h>
  socklen_t name_length = sizeof(name);
  std::string cc = "?";
  if (::getsockopt(sender.fd(), IPPROTO_TCP, TCP_CONGESTION, name, &name_length) == 0) {
    cc.assign(name, strnlen(name, sizeof(name)));
  }
  auto info = sender.TcpInfo();
  if (!info.ok()) return absl::StrCat("linux ", cc);
  return absl::StrFormat("linux %s: retransmitted %u segments, srtt %uus, cwnd %u", cc,
                         info->tcpi_total_retrans, info->tcpi_rtt, info->tcpi_snd_cwnd);
}

std::string OurSenderNotes(BlockingConnection& conn, const std::string& cc) {
  auto stats = conn.Stats();
  if (!stats.ok()) return absl::StrCat("ours ", cc, ": ", stats.status().message());
  uint64_t retransmits = 0;
  for (uint64_t n : stats->retransmits) retransmits += n;
  return absl::StrFormat(
      "ours %s: retransmitted %u segments (%u bytes), %u RTOs, %u fast recoveries, srtt %s, "
      "cwnd %u",
      cc, retransmits, stats->bytes_retransmitted, stats->rto_timeouts, stats->fast_recoveries,
      stats->srtt.ToString(), stats->cwnd);
}

RunResult Failed(absl::Status status) {
  RunResult result;
  result.status = std::move(status);
  return result;
}

}  // namespace

Payload Payload::Make(uint64_t size, uint64_t seed) {
  Payload payload;
  payload.bytes.resize(size);
  PatternStream(seed).Fill(absl::MakeSpan(payload.bytes));
  payload.sha256 = Sha256::Hex(Sha256::Of(payload.bytes));
  return payload;
}

double RunResult::Mbps() const {
  const double seconds = elapsed.seconds();
  return seconds > 0 ? static_cast<double>(bytes_received) * 8 / seconds / 1e6 : 0;
}

std::string RunResult::Summary() const {
  if (!status.ok()) return absl::StrCat("FAILED: ", status.ToString());
  return absl::StrFormat("%8.1f Mbit/s (%.1f MiB in %.2fs); loss %s; %s", Mbps(),
                         static_cast<double>(bytes_received) / (1 << 20), elapsed.seconds(),
                         loss.Summary(), sender_notes);
}

RunResult RunLinuxSender(SharedPathNetwork& network, const Payload& payload, int per_mille,
                         const std::string& congestion_control) {
  auto sender = network.ConnectLinuxSender();
  if (!sender.ok()) return Failed(sender.status());
  if (!congestion_control.empty() &&
      ::setsockopt(sender->fd(), IPPROTO_TCP, TCP_CONGESTION, congestion_control.data(),
                   congestion_control.size()) != 0) {
    return Failed(absl::InvalidArgumentError(absl::StrCat(
        "Linux congestion control \"", congestion_control, "\": ", std::strerror(errno),
        " (see /proc/sys/net/ipv4/tcp_available_congestion_control)")));
  }
  auto receiver = network.AcceptAtReceiver();
  if (!receiver.ok()) return Failed(receiver.status());
  RunResult result = Measure(
      network, *receiver, payload, per_mille,
      [&](absl::Span<const uint8_t> data) { return sender->WriteAll(data); },
      [&] { return sender->ShutdownWrite(); });
  result.sender_notes = LinuxSenderNotes(*sender);
  return result;
}

RunResult RunOurSender(SharedPathNetwork& network, const Payload& payload, int per_mille,
                       const tcp::ConnectionOptions& options) {
  auto conn = network.tcp().Connect(
      Endpoint{SharedPathNetwork::kReceiverAddress, SharedPathNetwork::kReceiverPort}, options);
  if (!conn.ok()) return Failed(conn.status());
  const Duration stall = network.options().stall_timeout;
  if (absl::Status s = (*conn)->WaitEstablished(stall); !s.ok()) return Failed(s);
  auto receiver = network.AcceptAtReceiver();
  if (!receiver.ok()) return Failed(receiver.status());
  RunResult result = Measure(
      network, *receiver, payload, per_mille,
      [&](absl::Span<const uint8_t> data) { return (*conn)->WriteAll(data, stall); },
      [&] { return (*conn)->ShutdownWrite(); });
  result.sender_notes = OurSenderNotes(**conn, options.congestion_control);
  receiver->Close();
  (*conn)->Close().IgnoreError();
  return result;
}

}  // namespace tcpaas::test
