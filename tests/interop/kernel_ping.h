// The kernel pings an address from inside a namespace, through a raw ICMP socket: the same
// echo requests `ping` sends, for machines where iputils-ping is not installed.
#ifndef TCPAAS_TESTS_INTEROP_KERNEL_PING_H_
#define TCPAAS_TESTS_INTEROP_KERNEL_PING_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "stack/base/time.h"
#include "stack/wire/addr.h"

namespace tcpaas::interop {

// Sends `count` echo requests to `dst` one after another, waiting up to `reply_timeout` for
// each reply (RFC 792 echo: same identifier, sequence number and data). Returns how many
// were answered correctly.
absl::StatusOr<int> KernelPing(std::string_view netns, Ipv4Address dst, int count,
                               Duration reply_timeout);

}  // namespace tcpaas::interop

#endif  // TCPAAS_TESTS_INTEROP_KERNEL_PING_H_
