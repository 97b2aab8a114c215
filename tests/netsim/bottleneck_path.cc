#include "tests/netsim/bottleneck_path.h"

#include <utility>

#include "stack/link/memory_link.h"
#include "stack/link/pcap_file.h"
#include "stack/link/pcap_writer.h"
#include "tests/sim/sim_hosts.h"

namespace tcpaas::netsim {
namespace {

// Frames propagating behind the bottleneck: at most rate x (delay + jitter) worth of minimum
// Ethernet frames, which this bounds for every path the tests build (100 Mbit/s x 26 ms is
// about 5,100 frames of 64 bytes).
constexpr size_t kPathQueueFrames = 16384;
constexpr uint32_t kPcapSnaplen = 128;
constexpr uint64_t kPcapMaxBytes = 256 << 20;

absl::StatusOr<PathEnd> BuildEnd(std::unique_ptr<link::Device> end, const PathSpec& spec,
                                 Duration jitter, uint64_t seed, const std::string& pcap_path) {
  link::FaultSpec path_faults;
  path_faults.delay = spec.one_way_delay;
  path_faults.drop = spec.loss;
  path_faults.jitter = jitter;
  path_faults.queue_limit = kPathQueueFrames;
  link::FaultSpec bottleneck_faults;
  bottleneck_faults.rate_bits_per_second = spec.rate_bits_per_second;
  bottleneck_faults.queue_limit = spec.queue_frames;

  PathEnd out;
  auto path = std::make_unique<link::FaultInjector>(std::move(end), path_faults, seed * 4 + 1);
  out.path = path.get();
  auto bottleneck =
      std::make_unique<link::FaultInjector>(std::move(path), bottleneck_faults, seed * 4 + 2);
  out.bottleneck = bottleneck.get();
  out.device = std::move(bottleneck);
  if (!pcap_path.empty()) {
    // Headers only (and a little payload): a failing cell's pcaps stay small enough to keep.
    link::PcapFile::Options pcap_options;
    pcap_options.link_type = link::PcapLinkType(out.device->link_layer());
    pcap_options.snaplen = kPcapSnaplen;
    pcap_options.max_bytes = kPcapMaxBytes;
    auto file = link::PcapFile::Open(pcap_path, pcap_options);
    if (!file.ok()) return file.status();
    out.device = std::make_unique<link::PcapWriter>(
        std::move(out.device), std::shared_ptr<link::PcapFile>(std::move(*file)));
  }
  return out;
}

}  // namespace

absl::StatusOr<Path> BuildPath(const PathSpec& spec, uint64_t seed,
                               const std::string& pcap_prefix) {
  link::MemoryLinkOptions link_options;
  link_options.mtu = spec.mtu;
  link_options.mac_a = sim::kMacA;
  link_options.mac_b = sim::kMacB;
  auto [end_a, end_b] = link::CreateMemoryLinkPair(link_options);
  const bool pcap = !pcap_prefix.empty();
  absl::StatusOr<PathEnd> a = BuildEnd(std::move(end_a), spec, spec.jitter_a_to_b, seed * 2,
                                       pcap ? pcap_prefix + "-a.pcap" : "");
  if (!a.ok()) return a.status();
  absl::StatusOr<PathEnd> b = BuildEnd(std::move(end_b), spec, Duration::Zero(), seed * 2 + 1,
                                       pcap ? pcap_prefix + "-b.pcap" : "");
  if (!b.ok()) return b.status();
  return Path{std::move(*a), std::move(*b)};
}

PathDrops TransmitDrops(const PathEnd& end) {
  PathDrops d;
  d.queue = end.bottleneck->transmit_stats().queue_overflow;
  const link::FaultStats path = end.path->transmit_stats();
  d.loss = path.dropped;
  d.other =
      path.queue_overflow + path.inner_rejected + end.bottleneck->transmit_stats().inner_rejected;
  return d;
}

}  // namespace tcpaas::netsim
