#include "stack/tcp/types.h"

namespace tcpaas::tcp {

std::string_view TcpStateName(TcpState s) {
  switch (s) {
    case TcpState::kClosed:
      return "CLOSED";
    case TcpState::kListen:
      return "LISTEN";
    case TcpState::kSynSent:
      return "SYN-SENT";
    case TcpState::kSynReceived:
      return "SYN-RECEIVED";
    case TcpState::kEstablished:
      return "ESTABLISHED";
    case TcpState::kFinWait1:
      return "FIN-WAIT-1";
    case TcpState::kFinWait2:
      return "FIN-WAIT-2";
    case TcpState::kCloseWait:
      return "CLOSE-WAIT";
    case TcpState::kClosing:
      return "CLOSING";
    case TcpState::kLastAck:
      return "LAST-ACK";
    case TcpState::kTimeWait:
      return "TIME-WAIT";
  }
  return "UNKNOWN";
}

std::string_view TcpEventTypeName(TcpEventType t) {
  switch (t) {
    case TcpEventType::kEstablished:
      return "established";
    case TcpEventType::kReadable:
      return "readable";
    case TcpEventType::kWritable:
      return "writable";
    case TcpEventType::kPeerFin:
      return "peer_fin";
    case TcpEventType::kFinAcked:
      return "fin_acked";
    case TcpEventType::kClosed:
      return "closed";
    case TcpEventType::kAcceptReady:
      return "accept_ready";
  }
  return "unknown";
}

std::string_view TcpCaStateName(TcpCaState s) {
  switch (s) {
    case TcpCaState::kOpen:
      return "open";
    case TcpCaState::kDisorder:
      return "disorder";
    case TcpCaState::kCwr:
      return "cwr";
    case TcpCaState::kRecovery:
      return "recovery";
    case TcpCaState::kLoss:
      return "loss";
  }
  return "unknown";
}

}  // namespace tcpaas::tcp
