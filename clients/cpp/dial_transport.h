// A Stream carried by one bidirectional `Dial` call (see stream.h).
#ifndef TCPAAS_CLIENTS_CPP_DIAL_TRANSPORT_H_
#define TCPAAS_CLIENTS_CPP_DIAL_TRANSPORT_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "clients/cpp/read_buffer.h"
#include "clients/cpp/stream.h"
#include "tcpaas/v1/tcp.grpc.pb.h"

namespace tcpaas::client {

class DialTransport : public StreamTransport {
 public:
  // Starts the call, sends `open` and waits for the `connected` response, which it stores in
  // *connected. Errors: the call's status (UNAVAILABLE for refused, and so on).
  static absl::StatusOr<std::unique_ptr<DialTransport>> Open(v1::TcpService::Stub& stub,
                                                             const v1::ConnectRequest& open,
                                                             v1::Connection* connected);
  ~DialTransport() override;

  absl::Status Write(absl::string_view data) override;
  absl::StatusOr<std::string> Read(size_t max) override;
  absl::Status ShutdownWrite() override;
  // Half-closes, then waits for the call to end (the peer's FIN), discarding what the peer
  // still sends. The returned Connection is empty: the call carries no final stats.
  absl::StatusOr<v1::Connection> Close() override;
  void Abort() override;

 private:
  using Call = grpc::ClientReaderWriter<v1::DialRequest, v1::DialResponse>;
  DialTransport(std::unique_ptr<grpc::ClientContext> context, std::unique_ptr<Call> call)
      : context_(std::move(context)), call_(std::move(call)) {}

  // Reads one message into the buffer. False once the call has ended.
  bool ReadMessageLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(read_mu_);
  // After a failed Write: the call's final status, reading what is left of the call when no
  // reader thread is doing it.
  absl::Status WaitForEnd();
  // Records the call's final status (Finish), once.
  void FinishOnce();

  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<Call> call_;

  absl::Mutex write_mu_;  // one writer: Write and ShutdownWrite
  bool writes_done_ ABSL_GUARDED_BY(write_mu_) = false;

  absl::Mutex read_mu_;  // one reader: Read, and WaitForEnd when no Read runs
  ReadBuffer buffer_ ABSL_GUARDED_BY(read_mu_);
  bool eof_ ABSL_GUARDED_BY(read_mu_) = false;    // the peer's FIN arrived
  bool ended_ ABSL_GUARDED_BY(read_mu_) = false;  // Read returned false

  absl::Mutex end_mu_;
  std::optional<absl::Status> final_status_ ABSL_GUARDED_BY(end_mu_);
};

}  // namespace tcpaas::client

#endif  // TCPAAS_CLIENTS_CPP_DIAL_TRANSPORT_H_
