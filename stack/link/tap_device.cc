#include "stack/link/tap_device.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "stack/link/netns.h"
#include "stack/wire/ethernet.h"

namespace tcpaas::link {
namespace {

constexpr char kTunPath[] = "/dev/net/tun";
constexpr size_t kMinMtu = 68;     // RFC 791: every IPv4 module must forward 68 octets
constexpr size_t kMaxMtu = 65535;  // the largest IPv4 datagram

std::string Errno(absl::string_view what, int err) {
  return absl::StrCat(what, ": ", std::strerror(err));
}

absl::Status PrivilegeError(absl::string_view what, int err) {
  return absl::PermissionDeniedError(
      absl::StrCat(Errno(what, err), " (tcpaasd needs root or CAP_NET_ADMIN)"));
}

absl::StatusOr<MacAddress> RandomLocalMac() {
  std::array<uint8_t, 6> b{};
  if (getrandom(b.data(), b.size(), 0) != static_cast<ssize_t>(b.size())) {
    return absl::UnavailableError(Errno("getrandom", errno));
  }
  b[0] = static_cast<uint8_t>((b[0] & 0xfe) | 0x02);  // unicast, locally administered
  return MacAddress(b);
}

// Applies MTU and IFF_UP to the kernel side. Runs in the device's namespace: the ioctl
// socket must be opened there to see the interface.
absl::Status ConfigureKernelSide(const std::string& name, size_t mtu, bool bring_up) {
  const int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return absl::UnavailableError(Errno("socket(AF_INET) for interface ioctls", errno));
  absl::Status status;
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  ifr.ifr_mtu = static_cast<int>(mtu);
  if (ioctl(sock, SIOCSIFMTU, &ifr) != 0) {
    status = absl::InvalidArgumentError(
        absl::StrCat(Errno(absl::StrCat("SIOCSIFMTU ", name, " mtu ", mtu), errno)));
  } else if (bring_up) {
    if (ioctl(sock, SIOCGIFFLAGS, &ifr) != 0) {
      status = absl::UnavailableError(Errno(absl::StrCat("SIOCGIFFLAGS ", name), errno));
    } else {
      ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
      if (ioctl(sock, SIOCSIFFLAGS, &ifr) != 0) {
        status = absl::UnavailableError(Errno(absl::StrCat("SIOCSIFFLAGS ", name, " up"), errno));
      }
    }
  }
  close(sock);
  return status;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TapDevice>> TapDevice::Create(const TapOptions& options) {
  if (options.name.size() >= IFNAMSIZ) {
    return absl::InvalidArgumentError(
        absl::StrCat("TAP name '", options.name, "' is longer than ", IFNAMSIZ - 1, " characters"));
  }
  if (options.name.find_first_of("/ \t\n:") != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("TAP name '", options.name, "' contains '/', ':' or whitespace"));
  }
  if (options.mtu < kMinMtu || options.mtu > kMaxMtu) {
    return absl::InvalidArgumentError(
        absl::StrCat("TAP MTU ", options.mtu, " is outside [", kMinMtu, ", ", kMaxMtu, "]"));
  }
  if (options.vnet_hdr) {
    return absl::UnimplementedError("TAP with IFF_VNET_HDR (offloads) is not implemented yet");
  }
  if (options.queues != 1) {
    return absl::UnimplementedError("multi-queue TAP (IFF_MULTI_QUEUE) is not implemented yet");
  }
  MacAddress mac = options.mac;
  if (mac.is_zero()) {
    absl::StatusOr<MacAddress> random = RandomLocalMac();
    if (!random.ok()) return random.status();
    mac = *random;
  } else if (mac.is_multicast()) {
    return absl::InvalidArgumentError(
        "the stack's MAC must be unicast (lowest bit of the first byte clear)");
  }

  // Everything below runs inside the target namespace, so the device is born there.
  std::unique_ptr<ScopedNetns> in_netns;
  if (!options.netns.empty()) {
    absl::StatusOr<std::unique_ptr<ScopedNetns>> entered = ScopedNetns::Enter(options.netns);
    if (!entered.ok()) return entered.status();
    in_netns = *std::move(entered);
  }

  const int fd = open(kTunPath, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    const std::string what = absl::StrCat("open ", kTunPath);
    if (err == EACCES || err == EPERM) return PrivilegeError(what, err);
    if (err == ENOENT || err == ENODEV || err == ENXIO) {
      return absl::FailedPreconditionError(absl::StrCat(
          Errno(what, err),
          " (load the tun module with `modprobe tun`; in a container pass --device /dev/net/tun)"));
    }
    return absl::UnavailableError(Errno(what, err));
  }

  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::memcpy(ifr.ifr_name, options.name.data(), options.name.size());
  if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
    const int err = errno;
    close(fd);
    const std::string what =
        absl::StrCat("TUNSETIFF ", options.name.empty() ? "tap%d" : options.name);
    if (err == EPERM || err == EACCES) return PrivilegeError(what, err);
    if (err == EBUSY) {
      return absl::AlreadyExistsError(absl::StrCat(
          Errno(what, err),
          " (the TAP is already open, in this or another process; pick another name)"));
    }
    if (err == EINVAL) {
      return absl::AlreadyExistsError(
          absl::StrCat(Errno(what, err), " (an interface of another kind already has this name)"));
    }
    return absl::UnavailableError(Errno(what, err));
  }
  std::string name(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ));

  if (absl::Status s = ConfigureKernelSide(name, options.mtu, options.bring_up); !s.ok()) {
    close(fd);
    return s;
  }
  if (in_netns != nullptr) {
    if (absl::Status s = in_netns->Leave(); !s.ok()) {
      close(fd);
      return s;
    }
  }
  return std::unique_ptr<TapDevice>(
      new TapDevice(fd, std::move(name), options.netns, options.mtu, mac));
}

TapDevice::TapDevice(int fd, std::string name, std::string netns, size_t mtu, MacAddress mac)
    : fd_(fd), name_(std::move(name)), netns_(std::move(netns)), mtu_(mtu), mac_(mac) {}

TapDevice::~TapDevice() { close(fd_); }

absl::StatusOr<size_t> TapDevice::Receive(absl::Span<uint8_t> buf, Instant now) {
  while (true) {
    const ssize_t n = read(fd_, buf.data(), buf.size());
    if (n >= 0) return std::min(static_cast<size_t>(n), buf.size());
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return absl::InternalError(Errno(absl::StrCat("read TAP ", name_), errno));
  }
}

absl::Status TapDevice::Transmit(absl::Span<const uint8_t> frame, Instant now) {
  if (frame.size() < wire::kEthernetHeaderSize || frame.size() > mtu_ + wire::kEthernetHeaderSize) {
    return absl::InvalidArgumentError(absl::StrCat("TAP ", name_, ": frame of ", frame.size(),
                                                   " bytes does not fit Ethernet with MTU ", mtu_));
  }
  while (true) {
    const ssize_t n = write(fd_, frame.data(), frame.size());
    if (n >= 0) return absl::OkStatus();  // the TAP takes whole frames or none
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return absl::UnavailableError(absl::StrCat("TAP ", name_, " is full"));
    }
    return absl::InternalError(Errno(absl::StrCat("write TAP ", name_), errno));
  }
}

}  // namespace tcpaas::link
