#include "stack/tcp/timers.h"

namespace tcpaas::tcp {

std::string_view TimerKindName(TimerKind k) {
  switch (k) {
    case TimerKind::kRetransmit:
      return "retransmit";
    case TimerKind::kPersist:
      return "persist";
    case TimerKind::kDelayedAck:
      return "delayed_ack";
    case TimerKind::kKeepalive:
      return "keepalive";
    case TimerKind::kTimeWait:
      return "time_wait";
    case TimerKind::kFinWait2:
      return "fin_wait2";
    case TimerKind::kConnect:
      return "connect";
    case TimerKind::kUserTimeout:
      return "user_timeout";
    case TimerKind::kLossProbe:
      return "loss_probe";
    case TimerKind::kRackReorder:
      return "rack_reorder";
    case TimerKind::kCount:
      break;
  }
  return "unknown";
}

}  // namespace tcpaas::tcp
