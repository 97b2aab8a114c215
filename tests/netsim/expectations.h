// The committed goodput expectations of the throughput matrix (expectations.txt): one line
// per cell, "<cell key> <goodput in Mbit/s>", where the key is MatrixCell::Key() (several
// words) and the goodput the last word. '#' starts a comment line; blank lines are ignored.
#ifndef TCPAAS_TESTS_NETSIM_EXPECTATIONS_H_
#define TCPAAS_TESTS_NETSIM_EXPECTATIONS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tcpaas::netsim {

class Expectations {
 public:
  // Errors (kInvalidArgument) name the line: a goodput that is not a non-negative number, a
  // line without a key, a key given twice.
  static absl::StatusOr<Expectations> Parse(absl::string_view text);
  // kNotFound when the file does not exist.
  static absl::StatusOr<Expectations> Load(const std::string& path);

  std::optional<double> Find(absl::string_view key) const;
  // Replaces the key's goodput, or appends the key.
  void Set(absl::string_view key, double goodput_mbps);
  // Removes the keys that start with `prefix` and are not in `keep` (cells that no longer
  // exist); returns how many went.
  size_t RemoveStale(absl::string_view prefix, const std::vector<std::string>& keep);
  size_t size() const { return entries_.size(); }

  // The file: the header that documents it, then one line per key in the order they were
  // first set or read, goodputs with three decimals.
  std::string Serialize() const;
  absl::Status Save(const std::string& path) const;

 private:
  std::vector<std::pair<std::string, double>> entries_;
};

}  // namespace tcpaas::netsim

#endif  // TCPAAS_TESTS_NETSIM_EXPECTATIONS_H_
