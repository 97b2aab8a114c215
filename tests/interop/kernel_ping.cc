#include "tests/interop/kernel_ping.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "stack/link/netns.h"
#include "stack/wire/checksum.h"

namespace tcpaas::interop {
namespace {

constexpr uint8_t kEchoRequest = 8;
constexpr uint8_t kEchoReply = 0;
constexpr size_t kIcmpHeaderLength = 8;
constexpr size_t kPayloadLength = 32;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void Store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

uint16_t Load16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

// True if `packet` (an IPv4 datagram as a raw socket delivers it) is the echo reply to
// (id, seq) carrying `payload`.
bool IsReplyTo(absl::Span<const uint8_t> packet, uint16_t id, uint16_t seq,
               absl::Span<const uint8_t> payload) {
  if (packet.size() < 20) return false;
  size_t ihl = (packet[0] & 0x0f) * 4u;
  if (ihl < 20 || packet.size() < ihl + kIcmpHeaderLength) return false;
  absl::Span<const uint8_t> icmp = packet.subspan(ihl);
  if (wire::InternetChecksum(icmp) != 0) return false;
  if (icmp[0] != kEchoReply || icmp[1] != 0) return false;
  if (Load16(&icmp[4]) != id || Load16(&icmp[6]) != seq) return false;
  absl::Span<const uint8_t> data = icmp.subspan(kIcmpHeaderLength);
  return data.size() == payload.size() &&
         std::memcmp(data.data(), payload.data(), data.size()) == 0;
}

}  // namespace

absl::StatusOr<int> KernelPing(std::string_view netns, Ipv4Address dst, int count,
                               Duration reply_timeout) {
  int raw;
  {
    auto inside = link::ScopedNetns::Enter(netns);
    if (!inside.ok()) return inside.status();
    raw = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
  }
  if (raw < 0) return absl::InternalError(absl::StrCat("raw ICMP socket: ", std::strerror(errno)));
  Fd fd(raw);

  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(dst.value());
  const uint16_t id = static_cast<uint16_t>(::getpid());
  int answered = 0;
  for (int i = 0; i < count; ++i) {
    const uint16_t seq = static_cast<uint16_t>(i + 1);
    std::array<uint8_t, kIcmpHeaderLength + kPayloadLength> request{};
    request[0] = kEchoRequest;
    Store16(&request[4], id);
    Store16(&request[6], seq);
    for (size_t k = 0; k < kPayloadLength; ++k) {
      request[kIcmpHeaderLength + k] = static_cast<uint8_t>(seq * 31 + k);
    }
    Store16(&request[2], wire::InternetChecksum(request));
    if (::sendto(fd.get(), request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&to),
                 sizeof(to)) < 0) {
      return absl::InternalError(
          absl::StrCat("sendto ", dst.ToString(), ": ", std::strerror(errno)));
    }
    auto payload = absl::MakeConstSpan(request).subspan(kIcmpHeaderLength);
    // The raw socket sees every ICMP packet of the namespace, our own requests included:
    // keep reading until the matching reply or the deadline.
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::nanoseconds(reply_timeout.nanos());
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd.get(), POLLIN, 0};
      int ready = ::poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) break;
      std::array<uint8_t, 2048> packet;
      ssize_t n = ::recv(fd.get(), packet.data(), packet.size(), 0);
      if (n < 0) continue;
      if (IsReplyTo(absl::MakeConstSpan(packet.data(), static_cast<size_t>(n)), id, seq, payload)) {
        ++answered;
        break;
      }
    }
  }
  return answered;
}

}  // namespace tcpaas::interop
