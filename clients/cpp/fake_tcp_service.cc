#include "clients/cpp/fake_tcp_service.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"

namespace tcpaas::client {
namespace {

// Bytes an echo holds before Send waits (the fake's "send buffer"), and per Recv message.
constexpr size_t kPendingLimit = 1 << 20;
constexpr size_t kDefaultMessageBytes = 64 * 1024;
constexpr auto kPoll = std::chrono::milliseconds(20);

grpc::Status NotFound(const std::string& id) {
  return grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("no connection ", id));
}

grpc::Status Reset(uint64_t acked) {
  return grpc::Status(
      grpc::StatusCode::ABORTED,
      absl::StrCat("connection reset by peer; the peer acknowledged ", acked, " bytes"));
}

}  // namespace

void FakeTcpService::QueueAccepts(int count) {
  std::lock_guard<std::mutex> lock(mu_);
  queued_accepts_ += count;
  changed_.notify_all();
}

void FakeTcpService::ResetByPeer(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = connections_.find(id);
  if (it != connections_.end()) it->second->reset = true;
  changed_.notify_all();
}

size_t FakeTcpService::open_connections() {
  std::lock_guard<std::mutex> lock(mu_);
  return connections_.size();
}

std::shared_ptr<FakeTcpService::Echo> FakeTcpService::NewConnection(v1::Direction direction,
                                                                    uint32_t port) {
  auto echo = std::make_shared<Echo>();
  std::lock_guard<std::mutex> lock(mu_);
  echo->info.set_id(absl::StrCat("fake", next_id_++, "0123456789abcdef0123456789"));
  echo->info.set_direction(direction);
  echo->info.set_state(v1::TCP_STATE_ESTABLISHED);
  echo->info.mutable_remote()->set_address("198.18.0.1");
  echo->info.mutable_remote()->set_port(port);
  echo->info.mutable_local()->set_address("198.18.0.2");
  echo->info.mutable_local()->set_port(40000 + static_cast<uint32_t>(next_id_));
  connections_[echo->info.id()] = echo;
  return echo;
}

std::shared_ptr<FakeTcpService::Echo> FakeTcpService::Find(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = connections_.find(id);
  return it == connections_.end() ? nullptr : it->second;
}

v1::Connection FakeTcpService::Snapshot(const Echo& echo) {
  v1::Connection c = echo.info;
  c.mutable_stats()->set_bytes_acked(echo.acked);
  c.mutable_stats()->set_bytes_sent(echo.acked);
  c.mutable_stats()->set_bytes_received(echo.received);
  return c;
}

bool FakeTcpService::NextChunk(Echo& echo, grpc::ServerContext* context, std::string* data,
                               bool* eof, bool* reset) {
  std::unique_lock<std::mutex> lock(mu_);
  while (echo.pending.empty() && !echo.fin && !echo.reset && !context->IsCancelled()) {
    changed_.wait_for(lock, kPoll);
  }
  *reset = echo.reset;
  if (echo.reset || context->IsCancelled()) return false;
  const size_t n = std::min(echo.pending.size(), kDefaultMessageBytes);
  data->assign(echo.pending, 0, n);
  echo.pending.erase(0, n);
  echo.received += n;
  *eof = echo.fin && echo.pending.empty();
  changed_.notify_all();
  return true;
}

grpc::Status FakeTcpService::Connect(grpc::ServerContext*, const v1::ConnectRequest* request,
                                     v1::ConnectResponse* response) {
  if (request->host().empty() || request->port() == 0 || request->port() > 65535) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad host or port");
  }
  if (request->host() == kRefusingHost) {
    return grpc::Status(
        grpc::StatusCode::UNAVAILABLE,
        absl::StrCat("connection refused by ", request->host(), ":", request->port()));
  }
  *response->mutable_connection() = NewConnection(v1::DIRECTION_ACTIVE, request->port())->info;
  return grpc::Status::OK;
}

grpc::Status FakeTcpService::Send(grpc::ServerContext* context,
                                  grpc::ServerReader<v1::SendRequest>* reader,
                                  v1::SendResponse* response) {
  v1::SendRequest request;
  std::shared_ptr<Echo> echo;
  uint64_t accepted = 0;
  bool fin = false;
  while (reader->Read(&request)) {
    if (echo == nullptr) {
      if (request.connection_id().empty()) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the first message needs an id");
      }
      echo = Find(request.connection_id());
      if (echo == nullptr) return NotFound(request.connection_id());
    }
    if (fin && !request.data().empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "data after fin");
    }
    std::unique_lock<std::mutex> lock(mu_);
    // Backpressure: take the message only when the echo has room.
    while (echo->pending.size() > kPendingLimit && !echo->reset && !context->IsCancelled()) {
      changed_.wait_for(lock, kPoll);
    }
    if (echo->reset) return Reset(echo->acked);
    if (context->IsCancelled()) return grpc::Status::CANCELLED;
    echo->pending += request.data();
    echo->acked += request.data().size();
    accepted += request.data().size();
    if (request.fin()) echo->fin = fin = true;
    changed_.notify_all();
  }
  response->set_bytes_accepted(accepted);
  if (echo != nullptr) {
    std::lock_guard<std::mutex> lock(mu_);
    response->set_bytes_acked(echo->acked);
  }
  return grpc::Status::OK;
}

grpc::Status FakeTcpService::Recv(grpc::ServerContext* context, const v1::RecvRequest* request,
                                  grpc::ServerWriter<v1::RecvResponse>* writer) {
  std::shared_ptr<Echo> echo = Find(request->connection_id());
  if (echo == nullptr) return NotFound(request->connection_id());
  for (;;) {
    v1::RecvResponse response;
    bool eof = false;
    bool reset = false;
    if (!NextChunk(*echo, context, response.mutable_data(), &eof, &reset)) {
      if (reset) return Reset(echo->acked);
      return grpc::Status::CANCELLED;
    }
    response.set_eof(eof);
    if (!writer->Write(response)) return grpc::Status::CANCELLED;
    if (eof) return grpc::Status::OK;
  }
}

grpc::Status FakeTcpService::Close(grpc::ServerContext*, const v1::CloseRequest* request,
                                   v1::CloseResponse* response) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = connections_.find(request->connection_id());
  if (it == connections_.end()) return NotFound(request->connection_id());
  Echo& echo = *it->second;
  if (request->abort()) echo.reset = true;
  *response->mutable_connection() = Snapshot(echo);
  response->mutable_connection()->set_state(v1::TCP_STATE_CLOSED);
  response->mutable_connection()->set_close_reason(request->abort() ? "aborted" : "normal");
  connections_.erase(it);
  changed_.notify_all();
  return grpc::Status::OK;
}

grpc::Status FakeTcpService::Dial(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::DialResponse, v1::DialRequest>* stream) {
  v1::DialRequest open;
  if (!stream->Read(&open)) return grpc::Status::CANCELLED;
  if (open.message_case() != v1::DialRequest::kOpen) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the first message must be open");
  }
  if (open.open().host() == kRefusingHost) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused");
  }
  std::shared_ptr<Echo> echo = NewConnection(v1::DIRECTION_ACTIVE, open.open().port());
  v1::DialResponse connected;
  *connected.mutable_connected() = echo->info;
  stream->Write(connected);

  // Requests on this thread's helper, echoed data on this one: one read and one write.
  std::thread reader([&] {
    v1::DialRequest request;
    while (stream->Read(&request)) {
      std::unique_lock<std::mutex> lock(mu_);
      while (echo->pending.size() > kPendingLimit && !echo->reset && !context->IsCancelled()) {
        changed_.wait_for(lock, kPoll);
      }
      if (echo->reset || context->IsCancelled()) break;
      if (request.message_case() == v1::DialRequest::kData) {
        echo->pending += request.data();
        echo->acked += request.data().size();
      }
      if (request.fin()) echo->fin = true;
      changed_.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu_);
    echo->fin = true;  // the half-close of the request stream is a FIN too
    changed_.notify_all();
  });
  grpc::Status status = grpc::Status::OK;
  for (;;) {
    v1::DialResponse response;
    bool eof = false;
    bool reset = false;
    if (!NextChunk(*echo, context, response.mutable_data(), &eof, &reset)) {
      status = reset ? Reset(echo->acked) : grpc::Status::CANCELLED;
      break;
    }
    response.set_eof(eof);
    if (!stream->Write(response)) {
      status = grpc::Status::CANCELLED;
      break;
    }
    if (eof) break;
  }
  // The synchronous API cannot end the call while the reader waits for a request: the call
  // ends once the client half-closes (or cancels). tcpaasd itself ends it at once.
  reader.join();
  std::lock_guard<std::mutex> lock(mu_);
  connections_.erase(echo->info.id());
  return status;
}

grpc::Status FakeTcpService::Listen(grpc::ServerContext* context, const v1::ListenRequest* request,
                                    grpc::ServerWriter<v1::ListenResponse>* writer) {
  if (request->port() == 0 || request->port() > 65535) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad port");
  }
  writer->SendInitialMetadata();  // "listening", as tcpaasd does
  while (!context->IsCancelled()) {
    bool accept = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait_for(lock, kPoll, [&] { return queued_accepts_ > 0; });
      if (queued_accepts_ > 0) {
        --queued_accepts_;
        accept = true;
      }
    }
    if (!accept) continue;
    v1::ListenResponse response;
    *response.mutable_connection() = NewConnection(v1::DIRECTION_PASSIVE, request->port())->info;
    if (!writer->Write(response)) break;
  }
  return grpc::Status::CANCELLED;
}

grpc::Status FakeTcpService::GetConnection(grpc::ServerContext*,
                                           const v1::GetConnectionRequest* request,
                                           v1::Connection* response) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = connections_.find(request->connection_id());
  if (it == connections_.end()) return NotFound(request->connection_id());
  *response = Snapshot(*it->second);
  return grpc::Status::OK;
}

grpc::Status FakeTcpService::ListConnections(grpc::ServerContext*,
                                             const v1::ListConnectionsRequest*,
                                             v1::ListConnectionsResponse* response) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, echo] : connections_) *response->add_connections() = Snapshot(*echo);
  return grpc::Status::OK;
}

}  // namespace tcpaas::client
