// A passive open (RFC 9293 §3.10.1 with the passive flag): the port, the options its
// connections get, and its two queues, bounded together by the backlog as Linux bounds them:
// children still in SYN-RECEIVED, and established children waiting for Accept().
#ifndef TCPAAS_STACK_TCP_LISTENER_H_
#define TCPAAS_STACK_TCP_LISTENER_H_

#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "stack/tcp/types.h"
#include "stack/wire/addr.h"

namespace tcpaas::tcp {

class Listener {
 public:
  Listener(ListenerId id, Port port, int backlog, const ConnectionOptions& options)
      : id_(id), port_(port), backlog_(static_cast<size_t>(backlog)), options_(options) {}

  ListenerId id() const { return id_; }
  Port port() const { return port_; }
  const ConnectionOptions& options() const { return options_; }
  // Options for children created from now on (setsockopt on a listening socket).
  void set_options(const ConnectionOptions& options) { options_ = options; }

  // Room for one more child (embryonic + ready <= backlog).
  bool HasRoom() const { return embryonic_.size() + ready_.size() < backlog_; }
  void AddEmbryonic(ConnId child) { embryonic_.insert(child); }
  // The child completed its handshake: it waits for Accept().
  void MarkReady(ConnId child);
  // The child died or was accepted elsewhere: forget it.
  void RemoveChild(ConnId child);
  std::optional<ConnId> PopReady();
  size_t ready_count() const { return ready_.size(); }
  size_t embryonic_count() const { return embryonic_.size(); }
  // Every child not yet accepted.
  std::vector<ConnId> Children() const;

 private:
  ListenerId id_;
  Port port_;
  size_t backlog_;
  ConnectionOptions options_;
  absl::flat_hash_set<ConnId> embryonic_;
  std::deque<ConnId> ready_;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_LISTENER_H_
