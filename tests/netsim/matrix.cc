#include "tests/netsim/matrix.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace tcpaas::netsim {
namespace {

constexpr size_t kBuffers[] = {64 * 1024, 1024 * 1024};
constexpr double kLosses[] = {0, 0.001, 0.01, 0.05};
constexpr int64_t kRttsMs[] = {1, 10, 50};
constexpr bool kReorders[] = {false, true};

constexpr size_t kMtu = 1500;
constexpr size_t kFrameBytes = kMtu + 14;  // what one full frame occupies on the bottleneck
constexpr double kMss = 1448;              // 1500 - 20 (IP) - 20 (TCP) - 12 (timestamps)
// The bottleneck queue holds one bandwidth-delay product, but never fewer frames than this
// (an initial window of 10 segments and some ACK-clocked slack).
constexpr size_t kMinQueueFrames = 16;
// Reordering: each frame from A to B is delayed by an extra uniform [0, 0.5 ms]. At 100 Mbit/s
// a full frame takes 0.12 ms, so a frame can be overtaken by up to four that were sent after
// it: more than the three duplicate ACKs that classic fast retransmit takes for a loss.
constexpr Duration kReorderJitter = Duration::Micros(500);

// Transfer size: steady state takes several hundred RTTs, so a cell moves kSteadyRtts round
// trips' worth of its expected rate: the least of the bottleneck, the buffer over the RTT and,
// under loss, Mathis et al.'s MSS / RTT * 1.22 / sqrt(p). At a 1 ms RTT that is only 1 s, in
// which one RTO (200 ms at least) weighs too much for a stable number, so a cell also runs at
// least kMinVirtualSeconds. Frames cost real time (about 6 ms per MiB here), so at most
// kMaxBytes: the cells that hit it (10 and 50 ms with little loss) still run 60 (1 MiB at
// 50 ms, near 100 Mbit/s) to 500 (64 KiB at 50 ms) RTTs.
constexpr double kSteadyRtts = 1000;
constexpr double kMinVirtualSeconds = 2;
constexpr uint64_t kMaxBytes = 32 * 1024 * 1024;
constexpr uint64_t kMinBytes = 1024 * 1024;

std::string LossString(double loss) { return absl::StrCat(loss * 100, "%"); }

std::string BufferString(size_t bytes) {
  if (bytes % (1024 * 1024) == 0) return absl::StrCat(bytes / (1024 * 1024), "MiB");
  return absl::StrCat(bytes / 1024, "KiB");
}

}  // namespace

std::string MatrixCell::Key() const {
  return absl::StrCat(congestion_control, " buf=", BufferString(buffer_bytes),
                      " loss=", LossString(loss), " rtt=", rtt.millis(),
                      "ms reorder=", reorder ? "on" : "off");
}

std::vector<MatrixCell> MatrixCells(const std::string& congestion_control) {
  std::vector<MatrixCell> cells;
  for (size_t buffer : kBuffers) {
    for (double loss : kLosses) {
      for (int64_t rtt : kRttsMs) {
        for (bool reorder : kReorders) {
          cells.push_back(
              MatrixCell{congestion_control, buffer, loss, Duration::Millis(rtt), reorder});
        }
      }
    }
  }
  return cells;
}

uint64_t CellBytes(const MatrixCell& cell) {
  const double rtt = cell.rtt.seconds();
  double rate = static_cast<double>(kMatrixRateBitsPerSecond);
  rate = std::min(rate, static_cast<double>(cell.buffer_bytes) * 8 / rtt);
  if (cell.loss > 0) rate = std::min(rate, kMss * 8 / rtt * 1.22 / std::sqrt(cell.loss));
  const double bytes = std::max(kSteadyRtts * rtt, kMinVirtualSeconds) * rate / 8;
  const uint64_t rounded = static_cast<uint64_t>(bytes / 1024) * 1024;
  return std::clamp<uint64_t>(rounded, kMinBytes, kMaxBytes);
}

RunSpec CellRunSpec(const MatrixCell& cell, uint64_t seed) {
  RunSpec spec;
  spec.seed = seed;
  spec.path.rate_bits_per_second = kMatrixRateBitsPerSecond;
  spec.path.mtu = kMtu;
  spec.path.one_way_delay = cell.rtt / 2;
  spec.path.loss = cell.loss;
  spec.path.jitter_a_to_b = cell.reorder ? kReorderJitter : Duration::Zero();
  const double bdp_frames =
      static_cast<double>(kMatrixRateBitsPerSecond) * cell.rtt.seconds() / (8.0 * kFrameBytes);
  spec.path.queue_frames = std::max(kMinQueueFrames, static_cast<size_t>(std::ceil(bdp_frames)));
  spec.options.congestion_control = cell.congestion_control;
  spec.options.send_buffer_bytes = cell.buffer_bytes;
  spec.options.recv_buffer_bytes = cell.buffer_bytes;
  spec.flows = {FlowPlan{Instant::Zero(), CellBytes(cell)}};
  return spec;
}

bool CellResult::ok() const {
  if (runs.empty()) return false;
  for (const SeedRun& r : runs) {
    if (!r.outcome.ok) return false;
  }
  return true;
}

double CellResult::goodput_mbps() const {
  if (runs.empty()) return 0;
  double sum = 0;
  for (const SeedRun& r : runs) sum += r.goodput_mbps;
  return sum / static_cast<double>(runs.size());
}

double CellResult::relative_standard_error() const {
  const double n = static_cast<double>(runs.size());
  const double mean = goodput_mbps();
  if (runs.size() < 2 || mean <= 0) return 0;
  double squares = 0;
  for (const SeedRun& r : runs) squares += (r.goodput_mbps - mean) * (r.goodput_mbps - mean);
  const double sample_sd = std::sqrt(squares / (n - 1));
  return sample_sd / std::sqrt(n) / mean;
}

const SeedRun& CellResult::worst() const {
  const SeedRun* worst = &runs.front();
  for (const SeedRun& r : runs) {
    if (!r.outcome.ok) return r;
    if (r.goodput_mbps < worst->goodput_mbps) worst = &r;
  }
  return *worst;
}

CellResult RunCell(const MatrixCell& cell, absl::Span<const uint64_t> seeds,
                   const std::string& pcap_prefix) {
  CellResult result;
  result.cell = cell;
  result.bytes = CellBytes(cell);
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t seed : seeds) {
    RunSpec spec = CellRunSpec(cell, seed);
    if (!pcap_prefix.empty()) spec.pcap_prefix = absl::StrCat(pcap_prefix, "-seed", seed);
    SeedRun run;
    run.seed = seed;
    run.outcome = RunFlows(spec);
    if (run.outcome.ok) {
      const FlowOutcome& f = run.outcome.flows[0];
      run.goodput_mbps = GoodputMbps(f.bytes_read, f.last_byte - f.start);
    }
    result.runs.push_back(std::move(run));
    if (!cell.random()) break;
  }
  result.real_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::string FormatGoodputTable(absl::Span<const CellResult> results,
                               absl::Span<const uint64_t> seeds) {
  if (results.empty()) return "";
  std::string out = absl::StrFormat(
      "netsim %s: goodput in Mbit/s, mean over seeds %s (bottleneck %d Mbit/s, queue = max(BDP, "
      "%d frames); r = reordering on)\n",
      results[0].cell.congestion_control, absl::StrJoin(seeds, ","),
      kMatrixRateBitsPerSecond / 1'000'000, kMinQueueFrames);
  absl::StrAppendFormat(&out, "%-14s", "buffer  loss");
  for (int64_t rtt : kRttsMs) {
    for (bool reorder : kReorders) {
      absl::StrAppendFormat(&out, "%9s", absl::StrCat(rtt, "ms", reorder ? " r" : ""));
    }
  }
  out += "\n";
  for (size_t buffer : kBuffers) {
    for (double loss : kLosses) {
      absl::StrAppendFormat(&out, "%-7s %-6s", BufferString(buffer), LossString(loss));
      for (int64_t rtt : kRttsMs) {
        for (bool reorder : kReorders) {
          const CellResult* found = nullptr;
          for (const CellResult& r : results) {
            if (r.cell.buffer_bytes == buffer && r.cell.loss == loss &&
                r.cell.rtt == Duration::Millis(rtt) && r.cell.reorder == reorder) {
              found = &r;
            }
          }
          if (found == nullptr) {
            absl::StrAppendFormat(&out, "%9s", "-");
          } else if (!found->ok()) {
            absl::StrAppendFormat(&out, "%9s", "FAIL");
          } else {
            absl::StrAppendFormat(&out, "%9.2f", found->goodput_mbps());
          }
        }
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace tcpaas::netsim
