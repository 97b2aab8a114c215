// One measured transfer: a sender (the Linux kernel's TCP or our stack) moves a payload to
// the receiver through the shared path (shared_path_network.h) while the loss rules are in
// place, and the receiver checks it (length, SHA-256). Goodput is the
// payload over the time from the sender's first write to the receiver's last byte.
//
// The payload is made and hashed before the clock starts and the receiver hashes what it got
// after the clock stops, so neither end's hashing limits the goodput measured.
#ifndef TCPAAS_TESTS_SUPPORT_GOODPUT_RUN_H_
#define TCPAAS_TESTS_SUPPORT_GOODPUT_RUN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "stack/base/time.h"
#include "stack/tcp/types.h"
#include "tests/support/loss_rules.h"
#include "tests/support/shared_path_network.h"

namespace tcpaas::test {

struct Payload {
  std::vector<uint8_t> bytes;  // a PatternStream (tests/support/pattern_stream.h)
  std::string sha256;          // hex
  static Payload Make(uint64_t size, uint64_t seed);
};

struct RunResult {
  // The first error: setup of the run, the sender, the receiver, or the receiver got bytes
  // that differ from the payload (length or SHA-256).
  absl::Status status;
  uint64_t bytes_received = 0;
  std::string sha256_received;
  Duration elapsed;  // first write to the receiver's last byte
  LossCounters loss;
  std::string sender_notes;  // the sender's own view: retransmissions, RTT, congestion control

  double Mbps() const;
  // "31.8 Mbit/s (32 MiB in 8.43s); data 1.02% of 23194, acks ...; <sender notes>" or the error.
  std::string Summary() const;
};

// The Linux kernel's TCP in the sender namespace. `congestion_control` (TCP_CONGESTION) may be
// empty: the namespace's default.
RunResult RunLinuxSender(SharedPathNetwork& network, const Payload& payload, int per_mille,
                         const std::string& congestion_control);
// Our stack, with `options` for the connection (congestion control among them).
RunResult RunOurSender(SharedPathNetwork& network, const Payload& payload, int per_mille,
                       const tcp::ConnectionOptions& options);

}  // namespace tcpaas::test

#endif  // TCPAAS_TESTS_SUPPORT_GOODPUT_RUN_H_
