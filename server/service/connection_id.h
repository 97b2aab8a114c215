// Connection ids: opaque, unguessable names for connections handed to API clients.
//
// An id is 128 bits from the kernel's CSPRNG (getrandom(2)), written as 32 lowercase hex
// digits. It carries no information about the connection: knowing one id tells nothing about
// any other (DESIGN.md "The service").
#ifndef TCPAAS_SERVER_SERVICE_CONNECTION_ID_H_
#define TCPAAS_SERVER_SERVICE_CONNECTION_ID_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace tcpaas::server {

inline constexpr size_t kConnectionIdBits = 128;
inline constexpr size_t kConnectionIdLength = kConnectionIdBits / 4;  // hex digits

// 32 lowercase hex digits of 128 fresh random bits.
std::string NewConnectionId();

// The text form of `bits` (tests and other id sources).
std::string FormatConnectionId(const std::array<uint8_t, kConnectionIdBits / 8>& bits);

// True when `id` has the form of an id (32 lowercase hex digits). Says nothing about whether
// a connection has it.
bool LooksLikeConnectionId(absl::string_view id);

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_CONNECTION_ID_H_
