#include "stack/tcp/congestion/congestion_control.h"

#include <array>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "stack/tcp/congestion/cubic.h"
#include "stack/tcp/congestion/newreno.h"

namespace tcpaas::tcp {
namespace {

using Factory = std::unique_ptr<CongestionControl> (*)(uint32_t mss, uint32_t iw_segments);

struct Algorithm {
  std::string_view name;
  Factory make;
};

// Every algorithm a connection may choose by name.
constexpr std::array kAlgorithms = {
    Algorithm{NewReno::kName,
              [](uint32_t mss, uint32_t iw) -> std::unique_ptr<CongestionControl> {
                return std::make_unique<NewReno>(mss, iw);
              }},
    Algorithm{Cubic::kName,
              [](uint32_t mss, uint32_t iw) -> std::unique_ptr<CongestionControl> {
                return std::make_unique<Cubic>(mss, iw);
              }},
};

}  // namespace

absl::StatusOr<std::unique_ptr<CongestionControl>> MakeCongestionControl(
    std::string_view name, uint32_t mss, uint32_t initial_window_segments) {
  if (mss == 0) return absl::InvalidArgumentError("congestion control needs an MSS above 0");
  if (initial_window_segments == 0) {
    return absl::InvalidArgumentError("congestion control needs an initial window of 1+ segments");
  }
  for (const Algorithm& algorithm : kAlgorithms) {
    if (algorithm.name == name) return algorithm.make(mss, initial_window_segments);
  }
  // Debian's Abseil has its own string_view, so names are joined as std::string.
  std::string known;
  for (const Algorithm& algorithm : kAlgorithms) {
    if (!known.empty()) known += ", ";
    known += algorithm.name;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown congestion control \"", std::string(name), "\"; known: ", known));
}

}  // namespace tcpaas::tcp
