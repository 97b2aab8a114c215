// Conversions between the API's messages (tcpaas.v1) and the stack's types, with the
// validation of request fields (tcp.proto: INVALID_ARGUMENT for bad arguments).
#ifndef TCPAAS_SERVER_SERVICE_PROTO_CONVERT_H_
#define TCPAAS_SERVER_SERVICE_PROTO_CONVERT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/service/connection_registry.h"
#include "stack/tcp/types.h"
#include "stack/wire/addr.h"
#include "tcpaas/v1/tcp.pb.h"

namespace tcpaas::server {

// Bounds on per-connection buffers a client may ask for.
inline constexpr uint32_t kMinBufferBytes = 1024;
inline constexpr uint32_t kMaxBufferBytes = 16 << 20;
// Listen backlog: 0 means kDefaultBacklog.
inline constexpr uint32_t kDefaultBacklog = 128;
inline constexpr uint32_t kMaxBacklog = 4096;

// An active open, validated.
struct ConnectPlan {
  Endpoint remote;
  Port local_port;
  tcp::ConnectionOptions options;
};

// Applies the client's options over `defaults` (zero fields keep the default).
// INVALID_ARGUMENT names the offending field.
absl::StatusOr<tcp::ConnectionOptions> ToConnectionOptions(
    const tcpaas::v1::ConnectionOptions& options, const tcp::ConnectionOptions& defaults);

// INVALID_ARGUMENT for an empty or non-IPv4 host, port 0 or > 65535, local_port > 65535 or
// bad options.
absl::StatusOr<ConnectPlan> ToConnectPlan(const tcpaas::v1::ConnectRequest& request,
                                          const tcp::ConnectionOptions& defaults);

tcpaas::v1::TcpState ToProtoState(tcp::TcpState state);
tcpaas::v1::Endpoint ToProtoEndpoint(const Endpoint& endpoint);
void FillProtoStats(const tcp::TcpStats& stats, absl::string_view congestion_control,
                    tcpaas::v1::TcpStats* out);

// The Connection message for a registered connection. `stats` is the stack's snapshot, or
// null when the handle is gone (then only what the entry knows is filled in, state CLOSED).
void FillProtoConnection(const ConnectionEntry& entry, const tcp::TcpStats* stats,
                         tcpaas::v1::Connection* out);

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_PROTO_CONVERT_H_
