// TCP sequence numbers: 32-bit values compared modulo 2^32 (RFC 9293 §3.4). Raw uint32_t
// arithmetic on sequence numbers is not allowed anywhere else in the stack.
#ifndef TCPAAS_STACK_WIRE_SEQ_H_
#define TCPAAS_STACK_WIRE_SEQ_H_

#include <cstdint>
#include <ostream>

namespace tcpaas {

class SeqNum {
 public:
  constexpr SeqNum() = default;
  constexpr explicit SeqNum(uint32_t v) : v_(v) {}
  constexpr uint32_t raw() const { return v_; }

  // Distance from `o` to this, as a signed 32-bit quantity: positive when this is after `o`.
  constexpr int32_t operator-(SeqNum o) const { return static_cast<int32_t>(v_ - o.v_); }
  constexpr SeqNum operator+(uint32_t n) const { return SeqNum(v_ + n); }
  constexpr SeqNum operator-(uint32_t n) const { return SeqNum(v_ - n); }
  constexpr SeqNum& operator+=(uint32_t n) {
    v_ += n;
    return *this;
  }

  constexpr bool operator==(const SeqNum&) const = default;
  constexpr bool operator<(SeqNum o) const { return (*this - o) < 0; }
  constexpr bool operator<=(SeqNum o) const { return (*this - o) <= 0; }
  constexpr bool operator>(SeqNum o) const { return (*this - o) > 0; }
  constexpr bool operator>=(SeqNum o) const { return (*this - o) >= 0; }

 private:
  uint32_t v_ = 0;
};

constexpr SeqNum SeqMax(SeqNum a, SeqNum b) { return a < b ? b : a; }
constexpr SeqNum SeqMin(SeqNum a, SeqNum b) { return a < b ? a : b; }

// RFC 9293 §3.4: lo <= s < hi, modulo 2^32.
constexpr bool SeqInRange(SeqNum s, SeqNum lo, SeqNum hi) { return lo <= s && s < hi; }

inline std::ostream& operator<<(std::ostream& os, SeqNum s) { return os << s.raw(); }

}  // namespace tcpaas

#endif  // TCPAAS_STACK_WIRE_SEQ_H_
