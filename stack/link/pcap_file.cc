#include "stack/link/pcap_file.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace tcpaas::link {
namespace {

// The pcap format stores fields in the writer's byte order, told apart by the magic number.
// We always write little-endian, whatever the host.
constexpr uint32_t kMagicNanoseconds = 0xa1b23c4d;
constexpr uint16_t kVersionMajor = 2;
constexpr uint16_t kVersionMinor = 4;
constexpr size_t kGlobalHeaderSize = 24;
constexpr size_t kRecordHeaderSize = 16;

void PutLe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
void PutLe32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

absl::Status WriteError(const std::string& path, int err) {
  return absl::UnavailableError(absl::StrCat("write ", path, ": ", std::strerror(err)));
}

}  // namespace

uint32_t PcapLinkType(LinkLayer link_layer) {
  return link_layer == LinkLayer::kEthernet ? kLinkTypeEthernet : kLinkTypeRaw;
}

absl::StatusOr<std::unique_ptr<PcapFile>> PcapFile::Open(const std::string& path,
                                                         const Options& options) {
  if (options.max_bytes != 0 && options.max_bytes < kGlobalHeaderSize) {
    return absl::InvalidArgumentError(absl::StrCat("pcap ", path, ": max_bytes ", options.max_bytes,
                                                   " is smaller than the 24-byte file header"));
  }
  std::FILE* file = std::fopen(path.c_str(), "wbe");  // 'e': O_CLOEXEC
  if (file == nullptr) {
    return absl::UnavailableError(absl::StrCat("create pcap ", path, ": ", std::strerror(errno)));
  }
  std::array<uint8_t, kGlobalHeaderSize> header{};
  PutLe32(&header[0], kMagicNanoseconds);
  PutLe16(&header[4], kVersionMajor);
  PutLe16(&header[6], kVersionMinor);
  // thiszone (8) and sigfigs (12) stay zero.
  PutLe32(&header[16], options.snaplen);
  PutLe32(&header[20], options.link_type);
  if (std::fwrite(header.data(), header.size(), 1, file) != 1) {
    const int err = errno;
    std::fclose(file);
    return WriteError(path, err);
  }
  auto pcap = std::unique_ptr<PcapFile>(new PcapFile(path, file, options));
  pcap->bytes_ = kGlobalHeaderSize;
  return pcap;
}

PcapFile::PcapFile(std::string path, std::FILE* file, const Options& options)
    : path_(std::move(path)), file_(file), options_(options) {}

PcapFile::~PcapFile() { std::fclose(file_); }

absl::Status PcapFile::Write(absl::Span<const uint8_t> frame, Instant at) {
  const size_t captured = std::min<size_t>(frame.size(), options_.snaplen);
  const uint64_t record_size = kRecordHeaderSize + captured;
  if (limit_reached_ || (options_.max_bytes != 0 && bytes_ + record_size > options_.max_bytes)) {
    limit_reached_ = true;
    ++refused_;
    return absl::ResourceExhaustedError(absl::StrCat("pcap ", path_, " reached its limit of ",
                                                     options_.max_bytes, " bytes; ", refused_,
                                                     " later frames not recorded"));
  }
  const int64_t ns = std::max<int64_t>(at.nanos(), 0);
  std::array<uint8_t, kRecordHeaderSize> header{};
  PutLe32(&header[0], static_cast<uint32_t>(ns / 1'000'000'000));
  PutLe32(&header[4], static_cast<uint32_t>(ns % 1'000'000'000));
  PutLe32(&header[8], static_cast<uint32_t>(captured));
  PutLe32(&header[12], static_cast<uint32_t>(frame.size()));
  if (std::fwrite(header.data(), header.size(), 1, file_) != 1 ||
      (captured > 0 && std::fwrite(frame.data(), captured, 1, file_) != 1)) {
    return WriteError(path_, errno);
  }
  bytes_ += record_size;
  ++records_;
  return absl::OkStatus();
}

absl::Status PcapFile::Flush() {
  if (std::fflush(file_) != 0) return WriteError(path_, errno);
  return absl::OkStatus();
}

}  // namespace tcpaas::link
