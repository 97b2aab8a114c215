#include "clients/cpp/listener.h"

#include <utility>

#include "clients/cpp/grpc_status.h"
#include "clients/cpp/send_recv_transport.h"

namespace tcpaas::client {

struct Listener::State {
  std::shared_ptr<v1::TcpService::Stub> stub;
  std::unique_ptr<grpc::ClientContext> context;  // TryCancel is thread-safe
  uint32_t recv_message_bytes;
  bool wait_for_ack_on_close;

  absl::Mutex mu;  // one Accept at a time
  std::unique_ptr<grpc::ClientReader<v1::ListenResponse>> call ABSL_GUARDED_BY(mu);
  bool ended ABSL_GUARDED_BY(mu) = false;
  absl::Status status ABSL_GUARDED_BY(mu);
};

Listener::Listener(std::shared_ptr<v1::TcpService::Stub> stub,
                   std::unique_ptr<grpc::ClientContext> context,
                   std::unique_ptr<grpc::ClientReader<v1::ListenResponse>> call,
                   uint32_t recv_message_bytes, bool wait_for_ack_on_close)
    : state_(std::make_unique<State>()) {
  state_->stub = std::move(stub);
  state_->context = std::move(context);
  state_->recv_message_bytes = recv_message_bytes;
  state_->wait_for_ack_on_close = wait_for_ack_on_close;
  absl::MutexLock lock(&state_->mu);
  state_->call = std::move(call);
}

Listener::Listener(Listener&&) noexcept = default;
Listener& Listener::operator=(Listener&&) noexcept = default;

Listener::~Listener() {
  if (state_ == nullptr) return;
  absl::MutexLock lock(&state_->mu);
  if (state_->ended) return;
  state_->context->TryCancel();
  v1::ListenResponse ignored;
  while (state_->call->Read(&ignored)) {
  }
  state_->call->Finish();
}

absl::StatusOr<Stream> Listener::Accept() {
  absl::MutexLock lock(&state_->mu);
  if (!state_->ended) {
    v1::ListenResponse response;
    if (state_->call->Read(&response)) {
      v1::Connection connection = std::move(*response.mutable_connection());
      auto transport = std::make_unique<SendRecvTransport>(
          state_->stub, connection.id(), state_->recv_message_bytes, state_->wait_for_ack_on_close);
      return Stream(state_->stub, std::move(connection), std::move(transport));
    }
    state_->ended = true;
    state_->status = FromGrpc(state_->call->Finish());
  }
  if (state_->status.ok()) return absl::CancelledError("the listener was closed");
  return state_->status;
}

void Listener::Close() { state_->context->TryCancel(); }

}  // namespace tcpaas::client
