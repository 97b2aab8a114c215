// An in-process stand-in for tcpaasd, for the client library's unit tests: every connection
// is an echo peer (what is sent comes back; FIN comes back as EOF), with the RPC semantics
// of proto/tcpaas/v1/tcp.proto that the client relies on. No stack, no network, no root.
#ifndef TCPAAS_CLIENTS_CPP_FAKE_TCP_SERVICE_H_
#define TCPAAS_CLIENTS_CPP_FAKE_TCP_SERVICE_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "tcpaas/v1/tcp.grpc.pb.h"

namespace tcpaas::client {

class FakeTcpService final : public v1::TcpService::Service {
 public:
  // Connects to this host are refused (UNAVAILABLE), as a closed port would be.
  static constexpr char kRefusingHost[] = "198.18.0.66";

  // Makes `count` passive connections that the next Listen call announces.
  void QueueAccepts(int count);
  // Resets connection `id` as a peer RST would: its Send and Recv calls end ABORTED.
  void ResetByPeer(const std::string& id);
  // Connections not yet closed.
  size_t open_connections();

  grpc::Status Connect(grpc::ServerContext* context, const v1::ConnectRequest* request,
                       v1::ConnectResponse* response) override;
  grpc::Status Send(grpc::ServerContext* context, grpc::ServerReader<v1::SendRequest>* reader,
                    v1::SendResponse* response) override;
  grpc::Status Recv(grpc::ServerContext* context, const v1::RecvRequest* request,
                    grpc::ServerWriter<v1::RecvResponse>* writer) override;
  grpc::Status Close(grpc::ServerContext* context, const v1::CloseRequest* request,
                     v1::CloseResponse* response) override;
  grpc::Status Dial(grpc::ServerContext* context,
                    grpc::ServerReaderWriter<v1::DialResponse, v1::DialRequest>* stream) override;
  grpc::Status Listen(grpc::ServerContext* context, const v1::ListenRequest* request,
                      grpc::ServerWriter<v1::ListenResponse>* writer) override;
  grpc::Status GetConnection(grpc::ServerContext* context, const v1::GetConnectionRequest* request,
                             v1::Connection* response) override;
  grpc::Status ListConnections(grpc::ServerContext* context,
                               const v1::ListConnectionsRequest* request,
                               v1::ListConnectionsResponse* response) override;

 private:
  // The echo peer of one connection: bytes written wait here until read back.
  struct Echo {
    v1::Connection info;
    std::string pending;  // sent, not yet received back
    uint64_t acked = 0;   // everything sent is "acknowledged" at once
    uint64_t received = 0;
    bool fin = false;  // our FIN: the echo's EOF follows the pending bytes
    bool reset = false;
  };

  std::shared_ptr<Echo> NewConnection(v1::Direction direction, uint32_t port);
  std::shared_ptr<Echo> Find(const std::string& id);
  v1::Connection Snapshot(const Echo& echo);
  // Waits for echoed bytes (or EOF, reset, cancellation); returns false at the end.
  bool NextChunk(Echo& echo, grpc::ServerContext* context, std::string* data, bool* eof,
                 bool* reset);

  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, std::shared_ptr<Echo>> connections_;
  int queued_accepts_ = 0;
  uint64_t next_id_ = 1;
};

}  // namespace tcpaas::client

#endif  // TCPAAS_CLIENTS_CPP_FAKE_TCP_SERVICE_H_
