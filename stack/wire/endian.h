// Big-endian (network order) loads and stores. Packet bytes are never reinterpreted as structs.
#ifndef TCPAAS_STACK_WIRE_ENDIAN_H_
#define TCPAAS_STACK_WIRE_ENDIAN_H_

#include <cstdint>

namespace tcpaas::wire {

inline uint16_t Load16(const uint8_t* p) {
  return static_cast<uint16_t>((static_cast<uint16_t>(p[0]) << 8) | p[1]);
}
inline uint32_t Load32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}
inline void Store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void Store32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

}  // namespace tcpaas::wire

#endif  // TCPAAS_STACK_WIRE_ENDIAN_H_
