#include "tests/conformance/symbols.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace tcpaas::conformance {
namespace {

// Linux x86-64 values (asm-generic/errno*.h, bits/socket.h, netinet/tcp.h, fcntl.h, poll.h).
const absl::flat_hash_map<absl::string_view, int64_t>& Table() {
  static const auto* table = new absl::flat_hash_map<absl::string_view, int64_t>{
      // errno
      {"EPERM", 1},
      {"ENOENT", 2},
      {"EINTR", 4},
      {"EIO", 5},
      {"EBADF", 9},
      {"EAGAIN", 11},
      {"EWOULDBLOCK", 11},
      {"ENOMEM", 12},
      {"EFAULT", 14},
      {"EINVAL", 22},
      {"EPIPE", 32},
      {"ENOTSOCK", 88},
      {"EDESTADDRREQ", 89},
      {"EMSGSIZE", 90},
      {"ENOPROTOOPT", 92},
      {"EPROTONOSUPPORT", 93},
      {"EOPNOTSUPP", 95},
      {"EAFNOSUPPORT", 97},
      {"EADDRINUSE", 98},
      {"EADDRNOTAVAIL", 99},
      {"ENETUNREACH", 101},
      {"ECONNABORTED", 103},
      {"ECONNRESET", 104},
      {"ENOBUFS", 105},
      {"EISCONN", 106},
      {"ENOTCONN", 107},
      {"ETIMEDOUT", 110},
      {"ECONNREFUSED", 111},
      {"EHOSTUNREACH", 113},
      {"EALREADY", 114},
      {"EINPROGRESS", 115},
      // sockets
      {"AF_INET", 2},
      {"AF_INET6", 10},
      {"PF_INET", 2},
      {"PF_INET6", 10},
      {"SOCK_STREAM", 1},
      {"SOCK_DGRAM", 2},
      {"SOCK_NONBLOCK", 04000},
      {"IPPROTO_IP", 0},
      {"IPPROTO_TCP", 6},
      {"IPPROTO_UDP", 17},
      {"SOL_SOCKET", 1},
      {"SOL_IP", 0},
      {"SOL_TCP", 6},
      {"SO_REUSEADDR", 2},
      {"SO_ERROR", 4},
      {"SO_KEEPALIVE", 9},
      {"SO_SNDBUF", 7},
      {"SO_RCVBUF", 8},
      {"SO_LINGER", 13},
      {"SO_REUSEPORT", 15},
      {"SO_RCVLOWAT", 18},
      {"IP_TOS", 1},
      {"IP_TTL", 2},
      {"IP_MTU_DISCOVER", 10},
      {"IP_PMTUDISC_DONT", 0},
      {"IP_PMTUDISC_DO", 2},
      {"TCP_NODELAY", 1},
      {"TCP_MAXSEG", 2},
      {"TCP_CORK", 3},
      {"TCP_KEEPIDLE", 4},
      {"TCP_KEEPINTVL", 5},
      {"TCP_KEEPCNT", 6},
      {"TCP_SYNCNT", 7},
      {"TCP_LINGER2", 8},
      {"TCP_DEFER_ACCEPT", 9},
      {"TCP_WINDOW_CLAMP", 10},
      {"TCP_INFO", 11},
      {"TCP_QUICKACK", 12},
      {"TCP_CONGESTION", 13},
      {"TCP_USER_TIMEOUT", 18},
      {"TCP_NOTSENT_LOWAT", 25},
      {"TCP_FASTOPEN", 23},
      // send/recv flags
      {"MSG_OOB", 1},
      {"MSG_PEEK", 2},
      {"MSG_DONTWAIT", 0x40},
      {"MSG_WAITALL", 0x100},
      {"MSG_NOSIGNAL", 0x4000},
      {"MSG_MORE", 0x8000},
      {"MSG_FASTOPEN", 0x20000000},
      {"MSG_ZEROCOPY", 0x4000000},
      // shutdown
      {"SHUT_RD", 0},
      {"SHUT_WR", 1},
      {"SHUT_RDWR", 2},
      // fcntl
      {"F_GETFL", 3},
      {"F_SETFL", 4},
      {"O_RDONLY", 0},
      {"O_WRONLY", 1},
      {"O_RDWR", 2},
      {"O_NONBLOCK", 04000},
      // poll
      {"POLLIN", 0x1},
      {"POLLPRI", 0x2},
      {"POLLOUT", 0x4},
      {"POLLERR", 0x8},
      {"POLLHUP", 0x10},
      {"POLLNVAL", 0x20},
      {"POLLRDNORM", 0x40},
      {"POLLRDBAND", 0x80},
      {"POLLWRNORM", 0x100},
      {"POLLWRBAND", 0x200},
      {"POLLRDHUP", 0x2000},
      // ioctl
      {"SIOCINQ", 0x541B},
      {"FIONREAD", 0x541B},
      {"SIOCOUTQ", 0x5411},
      {"TIOCOUTQ", 0x5411},
      {"SIOCOUTQNSD", 0x894B},
      // tcpi_state and tcpi_ca_state
      {"TCP_ESTABLISHED", 1},
      {"TCP_SYN_SENT", 2},
      {"TCP_SYN_RECV", 3},
      {"TCP_FIN_WAIT1", 4},
      {"TCP_FIN_WAIT2", 5},
      {"TCP_TIME_WAIT", 6},
      {"TCP_CLOSE", 7},
      {"TCP_CLOSE_WAIT", 8},
      {"TCP_LAST_ACK", 9},
      {"TCP_LISTEN", 10},
      {"TCP_CLOSING", 11},
      {"TCP_CA_Open", 0},
      {"TCP_CA_Disorder", 1},
      {"TCP_CA_CWR", 2},
      {"TCP_CA_Recovery", 3},
      {"TCP_CA_Loss", 4},
      // tcpi_options bits
      {"TCPI_OPT_TIMESTAMPS", 1},
      {"TCPI_OPT_SACK", 2},
      {"TCPI_OPT_WSCALE", 4},
      {"TCPI_OPT_ECN", 8},
  };
  return *table;
}

}  // namespace

std::optional<int64_t> SymbolValue(absl::string_view name) {
  const auto it = Table().find(name);
  if (it == Table().end()) return std::nullopt;
  return it->second;
}

std::string ErrnoName(int err) {
  static constexpr struct {
    int value;
    const char* name;
  } kNames[] = {{1, "EPERM"},          {2, "ENOENT"},      {4, "EINTR"},
                {9, "EBADF"},          {11, "EAGAIN"},     {22, "EINVAL"},
                {32, "EPIPE"},         {88, "ENOTSOCK"},   {92, "ENOPROTOOPT"},
                {95, "EOPNOTSUPP"},    {98, "EADDRINUSE"}, {103, "ECONNABORTED"},
                {104, "ECONNRESET"},   {105, "ENOBUFS"},   {106, "EISCONN"},
                {107, "ENOTCONN"},     {110, "ETIMEDOUT"}, {111, "ECONNREFUSED"},
                {113, "EHOSTUNREACH"}, {114, "EALREADY"},  {115, "EINPROGRESS"}};
  for (const auto& n : kNames) {
    if (n.value == err) return n.name;
  }
  return absl::StrCat("errno ", err);
}

}  // namespace tcpaas::conformance
