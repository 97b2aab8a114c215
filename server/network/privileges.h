// Startup checks that turn "operation not permitted" deep inside setup into a message that
// says what to do.
#ifndef TCPAAS_SERVER_NETWORK_PRIVILEGES_H_
#define TCPAAS_SERVER_NETWORK_PRIVILEGES_H_

#include <string>

#include "absl/status/status.h"

namespace tcpaas::server {

// kPermissionDenied unless the process has CAP_NET_ADMIN (and CAP_SYS_ADMIN when
// `need_namespaces`, which creating a network namespace takes). `mode` names the network mode
// in the message.
absl::Status CheckPrivileges(const std::string& mode, bool need_namespaces);

// kFailedPrecondition (missing device) or kPermissionDenied unless /dev/net/tun opens.
absl::Status CheckTunDevice();

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_NETWORK_PRIVILEGES_H_
