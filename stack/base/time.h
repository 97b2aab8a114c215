// Virtual-time friendly clock types. The protocol core never reads a clock: every entry point
// takes `Instant now`, and the runtime (or a test) decides what time it is.
#ifndef TCPAAS_STACK_BASE_TIME_H_
#define TCPAAS_STACK_BASE_TIME_H_

#include <cstdint>
#include <limits>
#include <ostream>
#include <string>

namespace tcpaas {

// A signed span of time with nanosecond resolution.
class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration Nanos(int64_t n) { return Duration(n); }
  static constexpr Duration Micros(int64_t n) { return Duration(n * 1000); }
  static constexpr Duration Millis(int64_t n) { return Duration(n * 1000 * 1000); }
  static constexpr Duration Seconds(int64_t n) { return Duration(n * 1000 * 1000 * 1000); }
  static constexpr Duration Zero() { return Duration(0); }
  static constexpr Duration Infinite() { return Duration(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t nanos() const { return ns_; }
  constexpr int64_t micros() const { return ns_ / 1000; }
  constexpr int64_t millis() const { return ns_ / (1000 * 1000); }
  constexpr double seconds() const { return static_cast<double>(ns_) / 1e9; }
  constexpr bool is_infinite() const { return ns_ == std::numeric_limits<int64_t>::max(); }

  constexpr Duration operator+(Duration o) const { return Duration(ns_ + o.ns_); }
  constexpr Duration operator-(Duration o) const { return Duration(ns_ - o.ns_); }
  constexpr Duration operator*(int64_t k) const { return Duration(ns_ * k); }
  constexpr Duration operator/(int64_t k) const { return Duration(ns_ / k); }
  constexpr Duration& operator+=(Duration o) {
    ns_ += o.ns_;
    return *this;
  }
  constexpr Duration& operator-=(Duration o) {
    ns_ -= o.ns_;
    return *this;
  }
  constexpr auto operator<=>(const Duration&) const = default;

  std::string ToString() const;  // "1.5ms", "200us", "3s"

 private:
  constexpr explicit Duration(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

// A point in time, measured from an arbitrary epoch chosen by whoever drives the stack
// (CLOCK_MONOTONIC in the runtime, zero in simulations).
class Instant {
 public:
  constexpr Instant() = default;
  static constexpr Instant FromNanos(int64_t n) { return Instant(n); }
  static constexpr Instant Zero() { return Instant(0); }
  // A deadline that never arrives; NextDeadline() returns it when nothing is scheduled.
  static constexpr Instant Never() { return Instant(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t nanos() const { return ns_; }
  constexpr bool is_never() const { return ns_ == std::numeric_limits<int64_t>::max(); }

  constexpr Instant operator+(Duration d) const {
    if (is_never() || d.is_infinite()) return Never();
    return Instant(ns_ + d.nanos());
  }
  constexpr Instant operator-(Duration d) const { return Instant(ns_ - d.nanos()); }
  constexpr Duration operator-(Instant o) const { return Duration::Nanos(ns_ - o.ns_); }
  constexpr Instant& operator+=(Duration d) { return *this = *this + d; }
  constexpr auto operator<=>(const Instant&) const = default;

 private:
  constexpr explicit Instant(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

// For test failure messages and logs: "1.5ms", "t=2.5s".
inline std::ostream& operator<<(std::ostream& os, Duration d) { return os << d.ToString(); }
inline std::ostream& operator<<(std::ostream& os, Instant t) {
  return os << "t=" << (t - Instant::Zero()).ToString();
}

constexpr Instant Earliest(Instant a, Instant b) { return a < b ? a : b; }
constexpr Duration Min(Duration a, Duration b) { return a < b ? a : b; }
constexpr Duration Max(Duration a, Duration b) { return a < b ? b : a; }

}  // namespace tcpaas

#endif  // TCPAAS_STACK_BASE_TIME_H_
