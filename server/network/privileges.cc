#include "server/network/privileges.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace tcpaas::server {
namespace {

constexpr int kCapNetAdmin = 12;
constexpr int kCapSysAdmin = 21;

// The effective capability set from /proc/self/status (0 if unreadable).
uint64_t EffectiveCapabilities() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    absl::string_view rest = line;
    if (absl::ConsumePrefix(&rest, "CapEff:")) {
      uint64_t caps = 0;
      if (absl::SimpleHexAtoi(absl::StripAsciiWhitespace(rest), &caps)) return caps;
    }
  }
  return 0;
}

}  // namespace

absl::Status CheckPrivileges(const std::string& mode, bool need_namespaces) {
  const uint64_t caps = EffectiveCapabilities();
  const bool net_admin = (caps >> kCapNetAdmin) & 1;
  const bool sys_admin = (caps >> kCapSysAdmin) & 1;
  if (net_admin && (sys_admin || !need_namespaces)) return absl::OkStatus();
  if (need_namespaces) {
    return absl::PermissionDeniedError(absl::StrCat(
        "--network=", mode,
        " creates a network namespace and a TAP device, which needs root (CAP_NET_ADMIN and "
        "CAP_SYS_ADMIN): run tcpaasd with sudo, or use --network=tap with a TAP device made "
        "for your user (ip tuntap add dev tcpaas0 mode tap user $USER)"));
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "--network=", mode,
      " configures network devices, which needs CAP_NET_ADMIN: run tcpaasd with sudo, or in "
      "a container with --cap-add NET_ADMIN"));
}

absl::Status CheckTunDevice() {
  const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    return absl::OkStatus();
  }
  if (errno == ENOENT || errno == ENXIO || errno == ENODEV) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open /dev/net/tun (", std::strerror(errno),
                     "): load the tun module (modprobe tun), or run the container with --device "
                     "/dev/net/tun"));
  }
  return absl::PermissionDeniedError(
      absl::StrCat("cannot open /dev/net/tun (", std::strerror(errno),
                   "): run tcpaasd as root, or give your user access to /dev/net/tun"));
}

}  // namespace tcpaas::server
