#include "stack/tcp/listener.h"

#include <algorithm>

namespace tcpaas::tcp {

void Listener::MarkReady(ConnId child) {
  if (embryonic_.erase(child) == 0) return;
  ready_.push_back(child);
}

void Listener::RemoveChild(ConnId child) {
  if (embryonic_.erase(child) > 0) return;
  auto it = std::find(ready_.begin(), ready_.end(), child);
  if (it != ready_.end()) ready_.erase(it);
}

std::optional<ConnId> Listener::PopReady() {
  if (ready_.empty()) return std::nullopt;
  const ConnId c = ready_.front();
  ready_.pop_front();
  return c;
}

std::vector<ConnId> Listener::Children() const {
  std::vector<ConnId> all(embryonic_.begin(), embryonic_.end());
  // Hash-set order is not deterministic across runs; slot order is.
  std::sort(all.begin(), all.end(), [](ConnId a, ConnId b) { return a.index < b.index; });
  all.insert(all.end(), ready_.begin(), ready_.end());
  return all;
}

}  // namespace tcpaas::tcp
