#include "stack/link/pcap_writer.h"

#include <utility>

namespace tcpaas::link {

PcapWriter::PcapWriter(std::unique_ptr<Device> inner, std::shared_ptr<PcapFile> file, Record record)
    : inner_(std::move(inner)), file_(std::move(file)), record_(record) {}

absl::StatusOr<std::unique_ptr<PcapWriter>> PcapWriter::Create(std::unique_ptr<Device> inner,
                                                               const std::string& path,
                                                               uint64_t max_bytes) {
  PcapFile::Options options;
  options.link_type = PcapLinkType(inner->link_layer());
  options.max_bytes = max_bytes;
  absl::StatusOr<std::unique_ptr<PcapFile>> file = PcapFile::Open(path, options);
  if (!file.ok()) return file.status();
  return std::make_unique<PcapWriter>(std::move(inner),
                                      std::shared_ptr<PcapFile>(*std::move(file)));
}

void PcapWriter::Capture(absl::Span<const uint8_t> frame, Instant now) {
  absl::Status s = file_->Write(frame, now);
  if (!s.ok() && file_status_.ok()) file_status_ = std::move(s);
}

absl::StatusOr<size_t> PcapWriter::Receive(absl::Span<uint8_t> buf, Instant now) {
  absl::StatusOr<size_t> n = inner_->Receive(buf, now);
  if (n.ok() && *n > 0 && record_ != Record::kTransmitted) Capture(buf.first(*n), now);
  return n;
}

absl::Status PcapWriter::Transmit(absl::Span<const uint8_t> frame, Instant now) {
  absl::Status s = inner_->Transmit(frame, now);
  // Only frames the device took went anywhere.
  if (s.ok() && record_ != Record::kReceived) Capture(frame, now);
  return s;
}

}  // namespace tcpaas::link
