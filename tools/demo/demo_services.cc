#include "tools/demo/demo_services.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "tools/demo/stats_format.h"

namespace tcpaas::demo {
namespace {

// A request head larger than this is refused (RFC 6585 §5, 431).
constexpr size_t kMaxRequestHead = 8 * 1024;

std::string HttpMessage(std::string_view status, std::string_view content_type,
                        const std::string& body) {
  return absl::StrCat("HTTP/1.1 ", absl::string_view(status.data(), status.size()),
                      "\r\nServer: tcpaas-demo\r\nContent-Type: ",
                      absl::string_view(content_type.data(), content_type.size()),
                      "\r\nContent-Length: ", body.size(), "\r\nConnection: close\r\n\r\n", body);
}

}  // namespace

void DemoServices::Attach(runtime::StackThread& thread) {
  thread_ = &thread;
  thread.Call([this](Host& host, Instant) { tcp_ = &host.tcp(); });
  thread.SetTcpEventHandler(this);
}

absl::Status DemoServices::Listen(runtime::StackThread& thread) {
  return thread.Call([this](Host& host, Instant) -> absl::Status {
    for (auto [port, kind] : {std::pair{kEchoPort, Kind::kEcho}, {kHttpPort, Kind::kHttp}}) {
      absl::StatusOr<tcp::ListenerId> listener = host.tcp().Listen(port, 64, {});
      if (!listener.ok()) return listener.status();
      listeners_[listener->packed()] = kind;
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<ProbeResult> DemoServices::ProbeEcho(runtime::StackThread& thread, Endpoint remote,
                                                    const std::string& line,
                                                    absl::Duration timeout) {
  auto probe = std::make_shared<Probe>();
  probe->line = line;
  const absl::Time start = absl::Now();
  absl::StatusOr<tcp::ConnId> id =
      thread.Call([&](Host& host, Instant now) -> absl::StatusOr<tcp::ConnId> {
        probe_ = probe;
        absl::StatusOr<tcp::ConnId> opened = host.tcp().Connect(remote, {}, now);
        if (opened.ok()) Adopt(*opened, Kind::kProbe);
        return opened;
      });
  if (!id.ok()) return id.status();

  bool done;
  {
    absl::MutexLock lock(&probe->mu);
    done = probe->mu.AwaitWithTimeout(absl::Condition(&probe->done), timeout);
  }
  if (!done) {
    thread.Call([this, conn = *id](Host& host, Instant now) {
      if (conns_.erase(conn.packed()) > 0) host.tcp().Abort(conn, now).IgnoreError();
      probe_.reset();
    });
    return absl::DeadlineExceededError(absl::StrCat("no echo from ", remote.ToString(), " within ",
                                                    absl::FormatDuration(timeout)));
  }
  absl::MutexLock lock(&probe->mu);
  if (!probe->status.ok()) return probe->status;
  ProbeResult result = probe->result;
  result.round_trip = absl::Now() - start;
  return result;
}

void DemoServices::OnTcpEvent(const tcp::TcpEvent& event) {
  if (event.type == tcp::TcpEventType::kAcceptReady) {
    auto listener = listeners_.find(event.conn.packed());
    if (listener == listeners_.end()) return;
    while (std::optional<tcp::ConnId> id = tcp_->Accept(event.conn)) Adopt(*id, listener->second);
    return;
  }
  auto it = conns_.find(event.conn.packed());
  if (it == conns_.end()) return;
  if (event.type == tcp::TcpEventType::kClosed) {
    OnClosed(*it->second, event.reason);
    return;
  }
  Serve(*it->second);
}

void DemoServices::Adopt(tcp::ConnId id, Kind kind) {
  if (kind == Kind::kEcho) ++echo_connections_;
  auto conn = std::make_unique<Conn>();
  conn->kind = kind;
  conn->id = id;
  if (kind == Kind::kProbe && probe_) conn->out = probe_->line;
  Conn& ref = *conn;
  conns_[id.packed()] = std::move(conn);
  Serve(ref);
}

// Our own calls into the TCP layer may raise events for the same connection; those only ask
// the running Serve() for another round.
void DemoServices::Serve(Conn& conn) {
  if (conn.busy) {
    conn.again = true;
    return;
  }
  conn.busy = true;
  do {
    conn.again = false;
    const Instant now = thread_->now();  // the stack's time, never a fresh clock read
    switch (conn.kind) {
      case Kind::kEcho:
        ServeEcho(conn, now);
        break;
      case Kind::kHttp:
        ServeHttp(conn, now);
        break;
      case Kind::kProbe:
        ServeProbe(conn, now);
        break;
    }
  } while (conn.again && !conn.finished);
  conn.busy = false;
  if (conn.finished) conns_.erase(conn.id.packed());
}

// RFC 862: send back whatever arrives; FIN once the peer's FIN and every byte went back. At
// most one buffer is pending: a peer that does not read stops us reading (the window closes).
void DemoServices::ServeEcho(Conn& conn, Instant now) {
  while (!conn.finished) {
    if (!Flush(conn, now)) return;
    if (conn.eof) return Finish(conn, now);
    absl::StatusOr<tcp::RecvResult> got = tcp_->Recv(conn.id, absl::MakeSpan(scratch_), now);
    if (!got.ok()) return Finish(conn, now);
    conn.eof = got->eof;
    if (got->bytes == 0 && !got->eof) return;
    conn.out.assign(reinterpret_cast<const char*>(scratch_.data()), got->bytes);
  }
}

void DemoServices::ServeHttp(Conn& conn, Instant now) {
  if (!conn.responded) {
    while (true) {
      absl::StatusOr<tcp::RecvResult> got = tcp_->Recv(conn.id, absl::MakeSpan(scratch_), now);
      if (!got.ok()) return Finish(conn, now);
      conn.in.append(reinterpret_cast<const char*>(scratch_.data()), got->bytes);
      if (conn.in.find("\r\n\r\n") != std::string::npos) {
        ++http_requests_;
        conn.out = HttpResponse(conn);
        break;
      }
      if (conn.in.size() > kMaxRequestHead) {
        conn.out = HttpMessage("431 Request Header Fields Too Large", "text/plain",
                               "request head too large\n");
        break;
      }
      if (got->eof) return Finish(conn, now);  // closed before a whole request
      if (got->bytes == 0) return;
    }
    conn.responded = true;
  }
  if (Flush(conn, now)) {
    // Discard anything else the client sent, so closing sends FIN rather than RST.
    while (true) {
      absl::StatusOr<tcp::RecvResult> got = tcp_->Recv(conn.id, absl::MakeSpan(scratch_), now);
      if (!got.ok() || got->bytes == 0) break;
    }
    Finish(conn, now);
  }
}

void DemoServices::ServeProbe(Conn& conn, Instant now) {
  if (!Flush(conn, now) || conn.finished) return;
  while (true) {
    absl::StatusOr<tcp::RecvResult> got = tcp_->Recv(conn.id, absl::MakeSpan(scratch_), now);
    if (!got.ok()) {
      FinishProbe(got.status(), nullptr);
      return Finish(conn, now);
    }
    conn.in.append(reinterpret_cast<const char*>(scratch_.data()), got->bytes);
    if (probe_ && conn.in.size() >= probe_->line.size()) {
      absl::StatusOr<tcp::TcpStats> stats = tcp_->GetStats(conn.id);
      {
        absl::MutexLock lock(&probe_->mu);
        probe_->result.echoed = conn.in;
      }
      FinishProbe(absl::OkStatus(), stats.ok() ? &*stats : nullptr);
      return Finish(conn, now);
    }
    if (got->eof) {
      FinishProbe(absl::UnavailableError("the echo server closed before echoing everything"),
                  nullptr);
      return Finish(conn, now);
    }
    if (got->bytes == 0) return;
  }
}

void DemoServices::OnClosed(Conn& conn, CloseReason reason) {
  if (conn.kind == Kind::kProbe) {
    FinishProbe(absl::UnavailableError(
                    absl::StrCat("connection closed: ", std::string(CloseReasonName(reason)))),
                nullptr);
  }
  // The handle outlives a reset (tcp_layer.h); release it.
  Finish(conn, thread_->now());
  if (!conn.busy) conns_.erase(conn.id.packed());
}

void DemoServices::FinishProbe(absl::Status status, const tcp::TcpStats* stats) {
  if (!probe_) return;
  {
    absl::MutexLock lock(&probe_->mu);
    if (!probe_->done) {
      probe_->done = true;
      probe_->status = std::move(status);
      if (stats != nullptr) probe_->result.stats = *stats;
    }
  }
  probe_.reset();
}

bool DemoServices::Flush(Conn& conn, Instant now) {
  if (conn.out.empty()) return true;
  absl::StatusOr<size_t> sent = tcp_->Send(
      conn.id,
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(conn.out.data()), conn.out.size()), now);
  if (!sent.ok()) {
    Finish(conn, now);
    return false;
  }
  conn.out.erase(0, *sent);
  return conn.out.empty();
}

void DemoServices::Finish(Conn& conn, Instant now) {
  if (conn.finished) return;
  conn.finished = true;
  // FIN after everything queued (RST instead if unread data remains, tcp_layer.h).
  tcp_->Close(conn.id, now).IgnoreError();
}

std::string DemoServices::HttpResponse(const Conn& conn) {
  std::string stats = "(no stats)\n";
  if (absl::StatusOr<tcp::TcpStats> s = tcp_->GetStats(conn.id); s.ok()) {
    stats = FormatTcpStats(*s, "  ");
  }
  const std::string body = absl::StrCat(
      "Hello from tcpaas!\n\n"
      "This reply was built by a userspace TCP/IP stack (Ethernet, ARP, IPv4, ICMP and TCP\n"
      "written from scratch) running on a TAP device, not by the Linux kernel's TCP.\n\n"
      "Your connection, as our stack sees it:\n",
      stats);
  return HttpMessage("200 OK", "text/plain; charset=utf-8", body);
}

}  // namespace tcpaas::demo
