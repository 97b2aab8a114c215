// A decorator that records every frame its inner device receives and transmits into a pcap
// file, stamped with the `now` of the call. Where it sits decides what it sees:
// PcapWriter(FaultInjector(dev)) records what the stack sent, FaultInjector(PcapWriter(dev))
// what survived the faults. Several writers may share one file (e.g. the transmit side of both
// ends of a memory link, which is the whole link once).
#ifndef TCPAAS_STACK_LINK_PCAP_WRITER_H_
#define TCPAAS_STACK_LINK_PCAP_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stack/base/time.h"
#include "stack/link/device.h"
#include "stack/link/pcap_file.h"

namespace tcpaas::link {

class PcapWriter : public Device {
 public:
  enum class Record { kBoth, kTransmitted, kReceived };

  // `file` must use the link type of `inner` (PcapLinkType(inner->link_layer())).
  PcapWriter(std::unique_ptr<Device> inner, std::shared_ptr<PcapFile> file,
             Record record = Record::kBoth);
  // Opens `path` with the inner device's link type. max_bytes = 0: unbounded. On error the
  // inner device is gone with the argument; open the PcapFile first to keep it.
  static absl::StatusOr<std::unique_ptr<PcapWriter>> Create(std::unique_ptr<Device> inner,
                                                            const std::string& path,
                                                            uint64_t max_bytes = 0);

  PcapFile& file() { return *file_; }
  Device& inner() { return *inner_; }
  // The first error the file returned (recording stops mattering to the device: frames still
  // flow when the file is full or failing).
  const absl::Status& file_status() const { return file_status_; }

  LinkLayer link_layer() const override { return inner_->link_layer(); }
  size_t mtu() const override { return inner_->mtu(); }
  MacAddress mac() const override { return inner_->mac(); }
  int fd() const override { return inner_->fd(); }
  absl::StatusOr<size_t> Receive(absl::Span<uint8_t> buf, Instant now) override;
  absl::Status Transmit(absl::Span<const uint8_t> frame, Instant now) override;
  void Poll(Instant now) override { inner_->Poll(now); }
  Instant NextDeadline() const override { return inner_->NextDeadline(); }

 private:
  void Capture(absl::Span<const uint8_t> frame, Instant now);

  std::unique_ptr<Device> inner_;
  std::shared_ptr<PcapFile> file_;
  Record record_;
  absl::Status file_status_;
};

}  // namespace tcpaas::link

#endif  // TCPAAS_STACK_LINK_PCAP_WRITER_H_
