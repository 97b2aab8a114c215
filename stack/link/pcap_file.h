// Writes a classic pcap capture file (the format tcpdump -w writes; read by tcpdump, tshark,
// Wireshark) with nanosecond timestamps taken from the stack's Instants.
#ifndef TCPAAS_STACK_LINK_PCAP_FILE_H_
#define TCPAAS_STACK_LINK_PCAP_FILE_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stack/base/time.h"
#include "stack/link/device.h"

namespace tcpaas::link {

inline constexpr uint32_t kLinkTypeEthernet = 1;  // LINKTYPE_ETHERNET
inline constexpr uint32_t kLinkTypeRaw = 101;     // LINKTYPE_RAW: bare IPv4/IPv6 packets

// The pcap link type for frames of a device with this link layer.
uint32_t PcapLinkType(LinkLayer link_layer);

class PcapFile {
 public:
  struct Options {
    uint32_t link_type = kLinkTypeEthernet;
    uint32_t snaplen = 65535;  // longer frames are recorded cut to this many bytes
    uint64_t max_bytes = 0;    // file size bound (header included); 0 = unbounded
  };

  // Creates (truncates) `path` and writes the global header.
  static absl::StatusOr<std::unique_ptr<PcapFile>> Open(const std::string& path,
                                                        const Options& options);
  static absl::StatusOr<std::unique_ptr<PcapFile>> Open(const std::string& path,
                                                        uint32_t link_type) {
    return Open(path, Options{.link_type = link_type});
  }
  ~PcapFile();  // flushes and closes

  PcapFile(const PcapFile&) = delete;
  PcapFile& operator=(const PcapFile&) = delete;

  // Appends one record stamped `at` (nanoseconds since the driver's epoch; virtual time in
  // simulations, so the capture starts at 1970-01-01 there). Once a record would take the
  // file past max_bytes, it and every later record are refused with kResourceExhausted and
  // a message that says so; limit_reached() turns true.
  absl::Status Write(absl::Span<const uint8_t> frame, Instant at);
  absl::Status Flush();

  const std::string& path() const { return path_; }
  uint64_t bytes_written() const { return bytes_; }
  uint64_t records_written() const { return records_; }
  uint64_t records_refused() const { return refused_; }
  bool limit_reached() const { return limit_reached_; }

 private:
  PcapFile(std::string path, std::FILE* file, const Options& options);

  std::string path_;
  std::FILE* file_;
  Options options_;
  uint64_t bytes_ = 0;
  uint64_t records_ = 0;
  uint64_t refused_ = 0;
  bool limit_reached_ = false;
};

}  // namespace tcpaas::link

#endif  // TCPAAS_STACK_LINK_PCAP_FILE_H_
