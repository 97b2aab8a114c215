#include "clients/cpp/stream.h"

#include <utility>

#include "clients/cpp/grpc_status.h"

namespace tcpaas::client {

Stream::Stream(std::shared_ptr<v1::TcpService::Stub> stub, v1::Connection connection,
               std::unique_ptr<StreamTransport> transport)
    : stub_(std::move(stub)),
      connection_(std::move(connection)),
      transport_(std::move(transport)) {}

Stream::Stream(Stream&&) noexcept = default;
Stream& Stream::operator=(Stream&&) noexcept = default;

Stream::~Stream() {
  if (transport_ != nullptr && !finished_) transport_->Abort();
}

absl::Status Stream::Write(absl::string_view data) { return transport_->Write(data); }

absl::StatusOr<std::string> Stream::Read(size_t max) {
  if (max == 0) return absl::InvalidArgumentError("Read(max): max must be positive");
  return transport_->Read(max);
}

absl::Status Stream::ShutdownWrite() { return transport_->ShutdownWrite(); }

absl::Status Stream::Close() {
  finished_ = true;
  absl::StatusOr<v1::Connection> closed = transport_->Close();
  if (!closed.ok()) return closed.status();
  if (!closed->id().empty()) final_ = std::make_unique<v1::Connection>(*std::move(closed));
  return absl::OkStatus();
}

void Stream::Abort() {
  finished_ = true;
  transport_->Abort();
}

absl::StatusOr<v1::Connection> Stream::Stats() {
  if (final_ != nullptr) return *final_;
  grpc::ClientContext context;
  v1::GetConnectionRequest request;
  request.set_connection_id(connection_.id());
  v1::Connection reply;
  absl::Status status = FromGrpc(stub_->GetConnection(&context, request, &reply));
  if (!status.ok()) return status;
  return reply;
}

}  // namespace tcpaas::client
