// Human-readable rendering of a connection's state and TCP statistics (tcpcat --stats).
#ifndef TCPAAS_CLIENTS_CPP_STATS_TEXT_H_
#define TCPAAS_CLIENTS_CPP_STATS_TEXT_H_

#include <string>

#include "tcpaas/v1/tcp.pb.h"

namespace tcpaas::client {

// A few lines, each ending in '\n', e.g.
//   connection 3f2a… 198.18.0.2:49152 -> 198.18.0.1:7 ESTABLISHED (active)
//   rtt: srtt=120us rttvar=40us rto=200000us
//   ...
std::string StatsText(const v1::Connection& connection);

}  // namespace tcpaas::client

#endif  // TCPAAS_CLIENTS_CPP_STATS_TEXT_H_
