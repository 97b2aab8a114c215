// Connections accepted by tcpaasd's stack on one port, from one `Listen` call.
#ifndef TCPAAS_CLIENTS_CPP_LISTENER_H_
#define TCPAAS_CLIENTS_CPP_LISTENER_H_

#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "clients/cpp/stream.h"
#include "tcpaas/v1/tcp.grpc.pb.h"

namespace tcpaas::client {

class Listener {
 public:
  Listener(std::shared_ptr<v1::TcpService::Stub> stub, std::unique_ptr<grpc::ClientContext> context,
           std::unique_ptr<grpc::ClientReader<v1::ListenResponse>> call,
           uint32_t recv_message_bytes, bool wait_for_ack_on_close);
  Listener(Listener&&) noexcept;
  Listener& operator=(Listener&&) noexcept;
  ~Listener();  // closes the listener; accepted streams stay open

  // Blocks until the next connection is accepted. Accepted streams use the Send/Recv
  // transport. Errors: the Listen call's status (ALREADY_EXISTS, INVALID_ARGUMENT, ...),
  // CANCELLED after Close.
  absl::StatusOr<Stream> Accept();

  // Ends the Listen call: the stack stops listening. May be called from any thread; a
  // blocked Accept returns.
  void Close();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tcpaas::client

#endif  // TCPAAS_CLIENTS_CPP_LISTENER_H_
