// Events raised while the layer works, held until its entry point has finished and then
// handed to the TcpEventHandler in order. A handler may call back into the layer; events
// those calls raise are appended and delivered by the same (outermost) drain loop, so the
// handler is never re-entered.
#ifndef TCPAAS_STACK_TCP_EVENT_QUEUE_H_
#define TCPAAS_STACK_TCP_EVENT_QUEUE_H_

#include <cstddef>
#include <vector>

#include "stack/tcp/types.h"

namespace tcpaas::tcp {

class EventQueue {
 public:
  void Push(const TcpEvent& event) { events_.push_back(event); }
  bool empty() const { return next_ == events_.size(); }

  // Delivers every queued event (including ones queued during delivery) unless a delivery is
  // already running further up the stack. Without a handler, events are discarded.
  void Deliver(TcpEventHandler* handler) {
    if (delivering_) return;
    delivering_ = true;
    while (next_ < events_.size()) {
      const TcpEvent event = events_[next_++];
      if (handler != nullptr) handler->OnTcpEvent(event);
    }
    events_.clear();
    next_ = 0;
    delivering_ = false;
  }

 private:
  std::vector<TcpEvent> events_;
  size_t next_ = 0;
  bool delivering_ = false;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_EVENT_QUEUE_H_
