#include "tests/conformance/syscalls.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "tests/conformance/symbols.h"
#include "tests/conformance/tcp_info.h"

namespace tcpaas::conformance {
namespace {

constexpr int64_t kSockStream = 1;
constexpr int64_t kSockNonblock = 04000;
constexpr int64_t kONonblock = 04000;
constexpr int64_t kORdwr = 2;
constexpr int64_t kMsgDontwait = 0x40;
constexpr int64_t kMsgNosignal = 0x4000;
constexpr int64_t kMsgMore = 0x8000;
constexpr int64_t kPollIn = 0x1;
constexpr int64_t kPollOut = 0x4;
constexpr int64_t kPollErr = 0x8;
constexpr int64_t kPollHup = 0x10;
constexpr int64_t kPollRdNorm = 0x40;
constexpr int64_t kPollWrNorm = 0x100;
constexpr int64_t kPollRdHup = 0x2000;
// Linux: TCP_MSS_DEFAULT before a connection exists; SOCK_MIN_SNDBUF and SOCK_MIN_RCVBUF.
constexpr int64_t kDefaultMss = 536;
constexpr int64_t kMinSndBuf = 4608;
constexpr int64_t kMinRcvBuf = 2304;
constexpr size_t kMaxReadBytes = size_t{16} << 20;

// An argument value: a number, a symbol, or symbols or-ed together.
absl::StatusOr<int64_t> IntOf(const Expression& e) {
  switch (e.kind) {
    case Expression::Kind::kInteger:
      return e.integer;
    case Expression::Kind::kWord: {
      std::optional<int64_t> v = SymbolValue(e.text);
      if (!v) return absl::UnimplementedError(absl::StrCat("symbol ", e.text, " is not known"));
      return *v;
    }
    case Expression::Kind::kBitOr: {
      int64_t v = 0;
      for (const Expression& item : e.items) {
        absl::StatusOr<int64_t> part = IntOf(item);
        if (!part.ok()) return part.status();
        v |= *part;
      }
      return v;
    }
    default:
      return absl::InvalidArgumentError(absl::StrCat("expected an integer, got ", e.ToString()));
  }
}

// "[value]" as setsockopt and getsockopt write it (a bare value is accepted too).
absl::StatusOr<int64_t> BracketedIntOf(const Expression& e) {
  if (e.kind == Expression::Kind::kList) {
    if (e.items.size() != 1) {
      return absl::InvalidArgumentError(absl::StrCat("expected [<integer>], got ", e.ToString()));
    }
    return IntOf(e.items[0]);
  }
  return IntOf(e);
}

CallResult FromStatus(const absl::Status& s) {
  if (absl::IsUnimplemented(s)) return CallResult::Unsupported(absl::StrCat(s.message()));
  return CallResult::ScriptError(absl::StrCat(s.message()));
}

const std::vector<uint8_t>& Zeros() {
  static const auto* zeros = new std::vector<uint8_t>(64 * 1024, 0);
  return *zeros;
}

// The port of "{sa_family=AF_INET, sin_port=htons(N), sin_addr=...}", or nullopt for "...".
absl::StatusOr<std::optional<uint16_t>> SockaddrPort(const Expression& e) {
  if (e.kind == Expression::Kind::kEllipsis) return std::optional<uint16_t>();
  if (e.kind != Expression::Kind::kStruct) {
    return absl::InvalidArgumentError(absl::StrCat("expected a sockaddr, got ", e.ToString()));
  }
  for (const Expression& field : e.items) {
    if (field.kind != Expression::Kind::kAssign) continue;
    const Expression& name = field.items[0];
    const Expression& value = field.items[1];
    if (name.text == "sa_family" && value.text != "AF_INET") {
      return absl::UnimplementedError("IPv6 is unsupported until the stack has IPv6");
    }
    if (name.text == "sin_port") {
      const Expression& port =
          value.kind == Expression::Kind::kCall && !value.items.empty() ? value.items[0] : value;
      absl::StatusOr<int64_t> v = IntOf(port);
      if (!v.ok()) return v.status();
      return std::optional<uint16_t>(static_cast<uint16_t>(*v));
    }
  }
  return std::optional<uint16_t>();
}

bool IsOpening(tcp::TcpState s) {
  return s == tcp::TcpState::kSynSent || s == tcp::TcpState::kSynReceived;
}

// The peer's FIN has arrived in these states.
bool PeerFinished(tcp::TcpState s) {
  return s == tcp::TcpState::kCloseWait || s == tcp::TcpState::kLastAck ||
         s == tcp::TcpState::kClosing || s == tcp::TcpState::kTimeWait ||
         s == tcp::TcpState::kClosed;
}

}  // namespace

SocketTable::Socket* SocketTable::Find(int64_t fd) {
  auto it = sockets_.find(fd);
  return it == sockets_.end() ? nullptr : &it->second;
}

int SocketTable::CloseErrno(tcp::ConnId id) const {
  absl::StatusOr<tcp::TcpStats> st = tcp_->GetStats(id);
  if (!st.ok()) return kEBADF;
  switch (st->close_reason) {
    case CloseReason::kRefused:
      return kECONNREFUSED;
    case CloseReason::kReset:
      return kECONNRESET;
    case CloseReason::kSynTimeout:
    case CloseReason::kRetransmitTimeout:
    case CloseReason::kUserTimeout:
    case CloseReason::kKeepaliveTimeout:
      return kETIMEDOUT;
    case CloseReason::kUnreachable:
      return kEHOSTUNREACH;
    default:
      return kEPIPE;
  }
}

CallResult SocketTable::Attempt(const SyscallSpec& c, Instant now, bool first) {
  if (first) {
    written_ = 0;
    poll_deadline_.reset();
  }
  const std::string& n = c.name;
  if (n == "socket") return OpenSocket(c);
  if (n == "bind") return Bind(c);
  if (n == "listen") return Listen(c);
  if (n == "accept") return Accept(c, now);
  if (n == "connect") return Connect(c, now, first);
  if (n == "write" || n == "send" || n == "sendmsg") return Write(c, now, first);
  if (n == "read" || n == "recv") return Read(c, now);
  if (n == "shutdown") return Shutdown(c, now);
  if (n == "close") return Close(c, now);
  if (n == "setsockopt") return SetSockOpt(c, now);
  if (n == "getsockopt") return GetSockOpt(c, now);
  if (n == "fcntl") return Fcntl(c);
  if (n == "ioctl") return Ioctl(c);
  if (n == "poll") {
    CallResult r = Poll(c);
    if (r.kind == CallResult::Kind::kWouldBlock && first) {
      absl::StatusOr<int64_t> timeout = IntOf(c.args.at(2));
      if (timeout.ok() && *timeout > 0) poll_deadline_ = now + Duration::Millis(*timeout);
    }
    if (r.kind == CallResult::Kind::kWouldBlock && poll_deadline_ && now >= *poll_deadline_) {
      poll_deadline_.reset();
      return CallResult::Done(0);
    }
    if (r.kind != CallResult::Kind::kWouldBlock) poll_deadline_.reset();
    return r;
  }
  return CallResult::Unsupported(absl::StrCat("system call ", n, "() is not mapped"));
}

// socket(domain, type, protocol) = fd: the script's number names the socket from now on.
CallResult SocketTable::OpenSocket(const SyscallSpec& c) {
  if (c.args.size() != 3) return CallResult::ScriptError("socket() takes 3 arguments");
  if (c.args[0].kind != Expression::Kind::kEllipsis) {
    absl::StatusOr<int64_t> domain = IntOf(c.args[0]);
    if (!domain.ok()) return FromStatus(domain.status());
    if (*domain != 2)
      return CallResult::Unsupported("IPv6 is unsupported until the stack has IPv6");
  }
  absl::StatusOr<int64_t> type = IntOf(c.args[1]);
  if (!type.ok()) return FromStatus(type.status());
  if ((*type & ~kSockNonblock) != kSockStream) {
    return CallResult::Unsupported("only SOCK_STREAM sockets are mapped");
  }
  if (c.result.kind != Expression::Kind::kInteger || c.result.integer < 0) {
    return CallResult::ScriptError("socket() must be expected to return a file descriptor");
  }
  if (Find(c.result.integer) != nullptr) {
    return CallResult::ScriptError(
        absl::StrCat("file descriptor ", c.result.integer, " is already open"));
  }
  Socket s;
  s.options = setup_->tcp.defaults;
  s.nonblocking = (*type & kSockNonblock) != 0;
  s.bind_port = Port(setup_->bind_port);
  sockets_[c.result.integer] = s;
  return CallResult::Done(c.result.integer);
}

CallResult SocketTable::Bind(const SyscallSpec& c) {
  if (c.args.size() != 3) return CallResult::ScriptError("bind() takes 3 arguments");
  absl::StatusOr<int64_t> fd = IntOf(c.args[0]);
  if (!fd.ok()) return FromStatus(fd.status());
  Socket* s = Find(*fd);
  if (s == nullptr) return CallResult::Error(kEBADF);
  absl::StatusOr<std::optional<uint16_t>> port = SockaddrPort(c.args[1]);
  if (!port.ok()) return FromStatus(port.status());
  if (*port) s->bind_port = Port(**port);
  return CallResult::Done(0);
}

CallResult SocketTable::Listen(const SyscallSpec& c) {
  if (c.args.size() != 2) return CallResult::ScriptError("listen() takes 2 arguments");
  absl::StatusOr<int64_t> fd = IntOf(c.args[0]);
  absl::StatusOr<int64_t> backlog = IntOf(c.args[1]);
  if (!fd.ok()) return FromStatus(fd.status());
  if (!backlog.ok()) return FromStatus(backlog.status());
  Socket* s = Find(*fd);
  if (s == nullptr) return CallResult::Error(kEBADF);
  if (s->conn) return CallResult::Error(kEINVAL);
  if (s->listening) return CallResult::Done(0);
  // Linux treats a backlog below 1 as 1... and a listener needs at least one slot here too.
  absl::StatusOr<tcp::ListenerId> l =
      tcp_->Listen(s->bind_port, std::max<int64_t>(*backlog, 1), s->options);
  if (!l.ok()) {
    if (absl::IsAlreadyExists(l.status())) return CallResult::Error(kEADDRINUSE);
    return CallResult::Unsupported(absl::StrCat("listen(): ", l.status().message()));
  }
  s->listening = true;
  s->listener = *l;
  conn_->OnListen(s->bind_port);
  return CallResult::Done(0);
}

void SocketTable::DrainAccepts(Socket& s) {
  while (std::optional<tcp::ConnId> id = tcp_->Accept(s.listener)) s.accepted.push_back(*id);
}

CallResult SocketTable::Accept(const SyscallSpec& c, Instant now) {
  if (c.args.size() != 3) return CallResult::ScriptError("accept() takes 3 arguments");
  absl::StatusOr<int64_t> fd = IntOf(c.args[0]);
  if (!fd.ok()) return FromStatus(fd.status());
  Socket* s = Find(*fd);
  if (s == nullptr) return CallResult::Error(kEBADF);
  if (!s->listening) return CallResult::Error(kEINVAL);
  DrainAccepts(*s);
  if (s->accepted.empty()) return s->nonblocking ? CallResult::Error(kEAGAIN) : CallResult::Block();
  int64_t new_fd = c.result.integer;
  if (c.result.kind != Expression::Kind::kInteger || new_fd < 0 || Find(new_fd) != nullptr) {
    new_fd = sockets_.empty() ? 3 : sockets_.rbegin()->first + 1;  // reported as a mismatch
  }
  Socket child;
  child.options = s->options;
  child.cork = s->cork;
  child.conn = s->accepted.front();
  if (child.cork) (void)tcp_->SetCork(*child.conn, true, now);
  child.bind_port = s->bind_port;
  s->accepted.pop_front();
  last_connection_ = child.conn;
  sockets_[new_fd] = child;
  return CallResult::Done(new_fd);
}

CallResult SocketTable::Connect(const SyscallSpec& c, Instant now, bool first) {
  if (c.args.size() != 3) return CallResult::ScriptError("connect() takes 3 arguments");
  absl::StatusOr<int64_t> fd = IntOf(c.args[0]);
  if (!fd.ok()) return FromStatus(fd.status());
  Socket* s = Find(*fd);
  if (s == nullptr) return CallResult::Error(kEBADF);
  if (first) {
    if (s->listening) return CallResult::Error(kEINVAL);
    if (s->conn) {
      absl::StatusOr<tcp::TcpStats> st = tcp_->GetStats(*s->conn);
      if (st.ok() && IsOpening(st->state)) return CallResult::Error(kEALREADY);
      if (st.ok() && st->state == tcp::TcpState::kClosed)
        return CallResult::Error(CloseErrno(*s->conn));
      return CallResult::Error(kEISCONN);
    }
    absl::StatusOr<std::optional<uint16_t>> port = SockaddrPort(c.args[1]);
    if (!port.ok()) return FromStatus(port.status());
    const Endpoint remote{setup_->remote_ip, Port(port->value_or(setup_->connect_port))};
    absl::StatusOr<tcp::ConnId> id = tcp_->Connect(remote, s->options, now);
    if (!id.ok()) {
      if (absl::IsAlreadyExists(id.status())) return CallResult::Error(kEADDRINUSE);
      if (absl::IsResourceExhausted(id.status())) return CallResult::Error(kENOBUFS);
      return CallResult::Unsupported(absl::StrCat("connect(): ", id.status().message()));
    }
    s->conn = *id;
    if (s->cork) (void)tcp_->SetCork(*id, true, now);
    last_connection_ = *id;
    conn_->OnConnect(remote);
    if (s->nonblocking) return CallResult::Error(kEINPROGRESS);
  }
  if (!s->conn) return CallResult::Error(kEBADF);
  absl::StatusOr<tcp::TcpStats> st = tcp_->GetStats(*s->conn);
  if (!st.ok()) return CallResult::Error(kEBADF);
  if (IsOpening(st->state)) return CallResult::Block();
  if (st->state == tcp::TcpState::kClosed && st->close_reason != CloseReason::kNormal) {
    s->connect_reported = true;
    return CallResult::Error(CloseErrno(*s->conn));
  }
  return CallResult::Done(0);
}

CallResult SocketTable::Write(const SyscallSpec& c, Instant now, bool first) {
  const bool is_sendmsg = c.name == "sendmsg";
  const size_t want_args = c.name == "write" ? 3 : is_sendmsg ? 3 : 4;
  if (c.args.size() != want_args) {
    return CallResult::ScriptError(absl::StrCat(c.name, "() takes ", want_args, " arguments"));
  }
  absl::StatusOr<int64_t> fd = IntOf(c.args[0]);
  if (!fd.ok()) return FromStatus(fd.status());
  int64_t length = 0;
  if (is_sendmsg) {
    // {msg_name(...)=..., msg_iov(N)=[{..., len}, ...], msg_flags=0}
    const Expression& msg = c.args[1];
    bool found_iov = false;
    for (const Expression& field : msg.items) {
      if (field.kind != Expression::Kind::kAssign || field.items[0].text != "msg_iov") continue;
      found_iov = true;
      for (const Expression& iov : field.items[1].items) {
        if (iov.items.size() != 2 || iov.items[0].kind != Expression::Kind::kEllipsis) {
          return CallResult::Unsupported("sendmsg() with iovec contents other than {..., len}");
        }
        absl::StatusOr<int64_t> len = IntOf(iov.items[1]);
        if (!len.ok()) return FromStatus(len.status());
        length += *len;
      }
    }
    if (!found_iov) return CallResult::ScriptError("sendmsg() needs msg_iov(N)=[...]");
  } else {
    if (c.args[1].kind != Expression::Kind::kEllipsis) {
      return CallResult::Unsupported(
          "writing script-given bytes: packetdrill's payloads are zeros, written as ...");
    }
    absl::StatusOr<int64_t> len = IntOf(c.args[2]);
    if (!len.ok()) return FromStatus(len.status());
    length = *len;
  }
  int64_t flags = 0;
  if (c.name != "write") {
    absl::StatusOr<int64_t> f = IntOf(c.args.back());
    if (!f.ok()) return FromStatus(f.status());
    flags = *f;
  }
  if ((flags & ~(kMsgDontwait | kMsgNosignal | kMsgMore)) != 0) {
    return CallResult::Unsupported(absl::StrCat(c.name, "() flags ", flags, " are not mapped"));
  }
  Socket* s = Find(*fd);
  if (s == nullptr) return CallResult::Error(kEBADF);
  if (!s->conn || s->shut_wr) return CallResult::Error(kEPIPE);
  const bool nonblocking = s->nonblocking || (flags & kMsgDontwait) != 0;
  absl::StatusOr<tcp::TcpStats> st = tcp_->GetStats(*s->conn);
  if (!st.ok()) return CallResult::Error(kEBADF);
  // Linux waits for the handshake before queueing data (sk_stream_wait_connect).
  if (IsOpening(st->state)) return nonblocking ? CallResult::Error(kEAGAIN) : CallResult::Block();
  if (length < 0) return CallResult::Error(kEINVAL);
  // The write is handed over in chunks; like Linux's tcp_sendmsg, only the end of the write
  // is pushed (unless MSG_MORE), or the point where it fills the buffer and would block
  // (Linux pushes before it waits for space, MSG_MORE or not).
  const bool user_more = (flags & kMsgMore) != 0;
  while (written_ < static_cast<size_t>(length)) {
    // No space (or no connection to write to): Send() says which, taking nothing.
    const size_t space = tcp_->SendSpace(*s->conn);
    const size_t chunk = std::min({static_cast<size_t>(length) - written_, Zeros().size(),
                                   space == 0 ? Zeros().size() : space});
    const bool end_of_write = written_ + chunk == static_cast<size_t>(length);
    const bool more = end_of_write ? user_more : chunk < space;
    absl::StatusOr<size_t> sent = tcp_->Send(*s->conn, absl::MakeConstSpan(Zeros().data(), chunk),
                                             tcp::SendFlags{.more = more}, now);
    if (!sent.ok()) {
      if (written_ > 0) return CallResult::Done(static_cast<int64_t>(written_));
      if (absl::IsFailedPrecondition(sent.status())) {
        const int err = CloseErrno(*s->conn);
        return CallResult::Error(err == kECONNRESET ? kECONNRESET : kEPIPE);
      }
      return CallResult::Error(kEBADF);
    }
    written_ += *sent;
    if (*sent < chunk) break;
  }
  if (written_ == static_cast<size_t>(length)) return CallResult::Done(length);
  if (nonblocking) {
    return written_ > 0 ? CallResult::Done(static_cast<int64_t>(written_))
                        : CallResult::Error(kEAGAIN);
  }
  return CallResult::Block();
}

CallResult SocketTable::Read(const SyscallSpec& c, Instant now) {
  const size_t want_args = c.name == "read" ? 3 : 4;
  if (c.args.size() != want_args) {
    return CallResult::ScriptError(absl::StrCat(c.name, "() takes ", want_args, " arguments"));
  }
  absl::StatusOr<int64_t> fd = IntOf(c.args[0]);
  absl::StatusOr<int64_t> len = IntOf(c.args[2]);
  if (!fd.ok()) return FromStatus(fd.status());
  if (!len.ok()) return FromStatus(len.status());
  int64_t flags = 0;
  if (c.name == "recv") {
    absl::StatusOr<int64_t> f = IntOf(c.args[3]);
    if (!f.ok()) return FromStatus(f.status());
    flags = *f;
  }
  if ((flags & ~kMsgDontwait) != 0) {
    return CallResult::Unsupported(absl::StrCat("recv() flags ", flags, " are not mapped"));
  }
  Socket* s = Find(*fd);
  if (s == nullptr) return CallResult::Error(kEBADF);
  if (!s->conn) return CallResult::Error(kENOTCONN);
  if (*len < 0) return CallResult::Error(kEINVAL);
  const bool nonblocking = s->nonblocking || (flags & kMsgDontwait) != 0;
  std::vector<uint8_t> buf(std::min(static_cast<size_t>(*len), kMaxReadBytes));
  absl::StatusOr<tcp::RecvResult> r = tcp_->Recv(*s->conn, absl::MakeSpan(buf), now);
  if (!r.ok()) {
    // Aborted: the connection ended abnormally; say why as Linux's sk_err would (a reset,
    // a timeout, an unreachable peer).
    if (absl::IsAborted(r.status())) {
      const int err = CloseErrno(*s->conn);
      return CallResult::Error(err == kEPIPE || err == kEBADF ? kECONNRESET : err);
    }
    return CallResult::Error(kEBADF);
  }
  if (r->bytes > 0) return CallResult::Done(static_cast<int64_t>(r->bytes));
  if (r->eof || s->shut_rd || *len == 0) return CallResult::Done(0);
  absl::StatusOr<tcp::TcpStats> st = tcp_->GetStats(*s->conn);
  if (st.ok() && st->state == tcp::TcpState::kClosed) {
    return st->close_reason == CloseReason::kNormal ? CallResult::Done(0)
                                                    : CallResult::Error(CloseErrno(*s->conn));
  }
  return nonblocking ? CallResult::Error(kEAGAIN) : CallResult::Block();
}

CallResult SocketTable::Shutdown(const SyscallSpec& c, Instant now) {
  if (c.args.size() != 2) return CallResult::ScriptError("shutdown() takes 2 arguments");
  absl::StatusOr<int64_t> fd = IntOf(c.args[0]);
  absl::StatusOr<int64_t> how = IntOf(c.args[1]);
  if (!fd.ok()) return FromStatus(fd.status());
  if (!how.ok()) return FromStatus(how.status());
  Socket* s = Find(*fd);
  if (s == nullptr) return CallResult::Error(kEBADF);
  if (*how < 0 || *how > 2) return CallResult::Error(kEINVAL);
  if (!s->conn) return CallResult::Error(kENOTCONN);
  // SHUT_RD: reads return what is queued, then 0 instead of blocking; Linux still ACKs and
  // queues data that arrives afterwards, which the TCP layer does anyway.
  if (*how == 0 || *how == 2) s->shut_rd = true;
  if ((*how == 1 || *how == 2) && !s->shut_wr) {
    s->shut_wr = true;
    absl::Status st = tcp_->ShutdownWrite(*s->conn, now);
    if (!st.ok() && !absl::IsFailedPrecondition(st)) return CallResult::Error(kENOTCONN);
  }
  return CallResult::Done(0);
}

CallResult SocketTable::Close(const SyscallSpec& c, Instant now) {
  if (c.args.size() != 1) return CallResult::ScriptError("close() takes 1 argument");
  absl::StatusOr<int64_t> fd = IntOf(c.args[0]);
  if (!fd.ok()) return FromStatus(fd.status());
  Socket* s = Find(*fd);
  if (s == nullptr) return CallResult::Error(kEBADF);
  if (s->conn) {
    (void)tcp_->Close(*s->conn, now);
  } else if (s->listening) {
    // Connections taken from the layer but never accepted are reset, like the layer's own.
    for (tcp::ConnId id : s->accepted) (void)tcp_->Abort(id, now);
    (void)tcp_->CloseListener(s->listener, now);
  }
  sockets_.erase(*fd);
  return CallResult::Done(0);
}

CallResult SocketTable::SetSockOpt(const SyscallSpec& c, Instant now) {
  if (c.args.size() != 5) return CallResult::ScriptError("setsockopt() takes 5 arguments");
  absl::StatusOr<int64_t> fd = IntOf(c.args[0]);
  absl::StatusOr<int64_t> level = IntOf(c.args[1]);
  if (!fd.ok()) return FromStatus(fd.status());
  if (!level.ok()) return FromStatus(level.status());
  const std::string& name = c.args[2].text;
  absl::StatusOr<int64_t> value = BracketedIntOf(c.args[3]);
  if (!value.ok()) return FromStatus(value.status());
  Socket* s = Find(*fd);
  if (s == nullptr) return CallResult::Error(kEBADF);
  // Options go to the socket's copy (for getsockopt and what it creates next), then to the
  // open connection through its setter, or to the listener for the connections it accepts.
  auto apply = [&](auto&& setter) -> CallResult {
    absl::Status st = absl::OkStatus();
    if (s->conn) {
      st = setter(*s->conn);
    } else if (s->listening) {
      st = tcp_->SetListenerOptions(s->listener, s->options);
    }
    if (absl::IsInvalidArgument(st)) return CallResult::Error(kEINVAL);
    if (!st.ok()) return CallResult::Error(kEBADF);
    return CallResult::Done(0);
  };
  auto keepalive = [&](tcp::ConnId id) {
    return tcp_->SetKeepalive(id,
                              tcp::KeepaliveSettings{.enabled = s->options.keepalive,
                                                     .idle = s->options.keepalive_idle,
                                                     .interval = s->options.keepalive_interval,
                                                     .probes = s->options.keepalive_probes},
                              now);
  };
  if (name == "SO_REUSEADDR" || name == "SO_REUSEPORT") {
    s->reuse_addr = *value != 0;
  } else if (name == "TCP_NODELAY") {
    s->options.no_delay = *value != 0;
    return apply([&](tcp::ConnId id) { return tcp_->SetNoDelay(id, *value != 0, now); });
  } else if (name == "TCP_MAXSEG") {
    if (s->conn) {
      return CallResult::Unsupported(
          "TCP_MAXSEG on a connected socket: the MSS is fixed once the SYN is sent");
    }
    // Linux: TCP_MIN_MSS (88) .. MAX_TCP_WINDOW.
    if (*value < 88 || *value > 32767) return CallResult::Error(kEINVAL);
    s->options.mss_clamp = static_cast<uint16_t>(*value);
    return apply([](tcp::ConnId) { return absl::OkStatus(); });
  } else if (name == "SO_SNDBUF" || name == "SO_RCVBUF") {
    // Linux doubles the value to account for its bookkeeping (socket(7)).
    const bool snd = name == "SO_SNDBUF";
    const size_t bytes =
        static_cast<size_t>(std::max<int64_t>(2 * *value, snd ? kMinSndBuf : kMinRcvBuf));
    if (snd) {
      s->options.send_buffer_bytes = bytes;
      return apply([&](tcp::ConnId id) { return tcp_->SetSendBufferSize(id, bytes, now); });
    }
    s->options.recv_buffer_bytes = bytes;
    // A receive buffer the application chose (SOCK_RCVBUF_LOCK) also bounds the window
    // scale Linux announces: no tcp_rmem[2] then.
    s->options.window_scale_buffer_bytes = 0;
    return apply([&](tcp::ConnId id) { return tcp_->SetRecvBufferSize(id, bytes, now); });
  } else if (name == "TCP_USER_TIMEOUT") {
    if (*value < 0) return CallResult::Error(kEINVAL);
    s->options.user_timeout = Duration::Millis(*value);
    return apply(
        [&](tcp::ConnId id) { return tcp_->SetUserTimeout(id, s->options.user_timeout, now); });
  } else if (name == "SO_KEEPALIVE") {
    s->options.keepalive = *value != 0;
    return apply(keepalive);
  } else if (name == "TCP_KEEPIDLE" || name == "TCP_KEEPINTVL") {
    if (*value < 1) return CallResult::Error(kEINVAL);
    (name == "TCP_KEEPIDLE" ? s->options.keepalive_idle : s->options.keepalive_interval) =
        Duration::Seconds(*value);
    return apply(keepalive);
  } else if (name == "TCP_KEEPCNT") {
    if (*value < 1) return CallResult::Error(kEINVAL);
    s->options.keepalive_probes = static_cast<int>(*value);
    return apply(keepalive);
  } else if (name == "TCP_CORK") {
    s->cork = *value != 0;
    if (s->conn && !tcp_->SetCork(*s->conn, s->cork, now).ok()) return CallResult::Error(kEBADF);
  } else {
    return CallResult::Unsupported(absl::StrCat("setsockopt ", name, " is not mapped"));
  }
  return CallResult::Done(0);
}

CallResult SocketTable::GetSockOpt(const SyscallSpec& c, Instant now) {
  if (c.args.size() != 5) return CallResult::ScriptError("getsockopt() takes 5 arguments");
  absl::StatusOr<int64_t> fd = IntOf(c.args[0]);
  if (!fd.ok()) return FromStatus(fd.status());
  const std::string& name = c.args[2].text;
  const Expression& expected = c.args[3];
  Socket* s = Find(*fd);
  if (s == nullptr) return CallResult::Error(kEBADF);

  std::optional<tcp::TcpStats> stats;
  if (s->conn) {
    absl::StatusOr<tcp::TcpStats> st = tcp_->GetStats(*s->conn);
    if (st.ok()) stats = *st;
  }
  if (name == "TCP_INFO") {
    if (!stats) return CallResult::Unsupported("TCP_INFO on a socket without a connection");
    // {tcpi_state=..., tcpi_snd_cwnd=...}: every named field is compared.
    CallResult r = CallResult::Done(0);
    for (const Expression& field : expected.items) {
      if (field.kind != Expression::Kind::kAssign) {
        return CallResult::ScriptError("TCP_INFO expects {tcpi_<field>=<value>, ...}");
      }
      const std::string& fname = field.items[0].text;
      std::optional<int64_t> actual = TcpInfoField(fname, *stats, now);
      if (!actual)
        return CallResult::Unsupported(absl::StrCat(fname, " is not in the TCP_INFO subset"));
      absl::StatusOr<int64_t> want = IntOf(field.items[1]);
      if (!want.ok()) return FromStatus(want.status());
      if (*want != *actual && !r.output_mismatch) {
        r.output_mismatch =
            absl::StrCat("getsockopt TCP_INFO ", fname, ": expected ", *want, ", got ", *actual);
      }
    }
    return r;
  }

  int64_t actual = 0;
  if (name == "SO_ERROR") {
    if (s->conn && !s->connect_reported) {
      absl::StatusOr<tcp::TcpStats> st = tcp_->GetStats(*s->conn);
      if (st.ok() && st->state == tcp::TcpState::kClosed &&
          st->close_reason != CloseReason::kNormal) {
        actual = CloseErrno(*s->conn);
        s->connect_reported = true;
      }
    }
  } else if (name == "SO_SNDBUF") {
    actual = static_cast<int64_t>(s->options.send_buffer_bytes);
  } else if (name == "SO_RCVBUF") {
    actual = static_cast<int64_t>(s->options.recv_buffer_bytes);
  } else if (name == "SO_REUSEADDR") {
    actual = s->reuse_addr ? 1 : 0;
  } else if (name == "TCP_NODELAY") {
    actual = s->options.no_delay ? 1 : 0;
  } else if (name == "TCP_MAXSEG") {
    // Linux reports the current send MSS (tp->mss_cache) once connected.
    actual =
        stats ? stats->snd_mss : (s->options.mss_clamp != 0 ? s->options.mss_clamp : kDefaultMss);
  } else {
    return CallResult::Unsupported(absl::StrCat("getsockopt ", name, " is not mapped"));
  }
  CallResult r = CallResult::Done(0);
  if (expected.kind != Expression::Kind::kEllipsis) {
    absl::StatusOr<int64_t> want = BracketedIntOf(expected);
    if (!want.ok()) return FromStatus(want.status());
    if (*want != actual) {
      r.output_mismatch =
          absl::StrCat("getsockopt ", name, " optval: expected ", *want, ", got ", actual);
    }
  }
  return r;
}

CallResult SocketTable::Fcntl(const SyscallSpec& c) {
  if (c.args.size() < 2) return CallResult::ScriptError("fcntl() takes 2 or 3 arguments");
  absl::StatusOr<int64_t> fd = IntOf(c.args[0]);
  if (!fd.ok()) return FromStatus(fd.status());
  Socket* s = Find(*fd);
  if (s == nullptr) return CallResult::Error(kEBADF);
  const std::string& cmd = c.args[1].text;
  if (cmd == "F_GETFL") return CallResult::Done(kORdwr | (s->nonblocking ? kONonblock : 0));
  if (cmd == "F_SETFL" && c.args.size() == 3) {
    absl::StatusOr<int64_t> flags = IntOf(c.args[2]);
    if (!flags.ok()) return FromStatus(flags.status());
    s->nonblocking = (*flags & kONonblock) != 0;
    return CallResult::Done(0);
  }
  return CallResult::Unsupported(absl::StrCat("fcntl ", c.args[1].ToString(), " is not mapped"));
}

CallResult SocketTable::Ioctl(const SyscallSpec& c) {
  if (c.args.size() != 3) return CallResult::ScriptError("ioctl() takes 3 arguments");
  absl::StatusOr<int64_t> fd = IntOf(c.args[0]);
  if (!fd.ok()) return FromStatus(fd.status());
  Socket* s = Find(*fd);
  if (s == nullptr) return CallResult::Error(kEBADF);
  if (!s->conn) return CallResult::Error(kEINVAL);
  const std::string& req = c.args[1].text;
  absl::StatusOr<tcp::TcpStats> st = tcp_->GetStats(*s->conn);
  if (!st.ok()) return CallResult::Error(kEBADF);
  int64_t actual = 0;
  if (req == "SIOCINQ" || req == "FIONREAD") {
    actual = static_cast<int64_t>(tcp_->RecvAvailable(*s->conn));
  } else if (req == "SIOCOUTQ" || req == "TIOCOUTQ") {
    actual = static_cast<int64_t>(st->send_buffer_used);
  } else if (req == "SIOCOUTQNSD") {
    actual = static_cast<int64_t>(st->send_buffer_used -
                                  std::min(st->send_buffer_used, st->bytes_in_flight));
  } else {
    return CallResult::Unsupported(absl::StrCat("ioctl ", req, " is not mapped"));
  }
  CallResult r = CallResult::Done(0);
  absl::StatusOr<int64_t> want = BracketedIntOf(c.args[2]);
  if (!want.ok()) return FromStatus(want.status());
  if (*want != actual) {
    r.output_mismatch = absl::StrCat("ioctl ", req, ": expected ", *want, ", got ", actual);
  }
  return r;
}

int SocketTable::PollEvents(Socket& s) {
  if (s.listening) {
    DrainAccepts(s);
    return s.accepted.empty() ? 0 : static_cast<int>(kPollIn | kPollRdNorm);
  }
  if (!s.conn) return static_cast<int>(kPollOut | kPollHup);
  absl::StatusOr<tcp::TcpStats> st = tcp_->GetStats(*s.conn);
  if (!st.ok()) return static_cast<int>(kPollHup);
  int ev = 0;
  const bool peer_fin = PeerFinished(st->state);
  if (tcp_->RecvAvailable(*s.conn) > 0 || peer_fin || s.shut_rd) ev |= kPollIn | kPollRdNorm;
  if (peer_fin) ev |= kPollRdHup;
  const bool writable_state =
      st->state == tcp::TcpState::kEstablished || st->state == tcp::TcpState::kCloseWait;
  if (writable_state && !s.shut_wr && tcp_->SendSpace(*s.conn) > 0) ev |= kPollOut | kPollWrNorm;
  if (st->state == tcp::TcpState::kClosed) {
    ev |= kPollHup;
    if (st->close_reason != CloseReason::kNormal) ev |= kPollErr;
  } else if (s.shut_wr && peer_fin) {
    ev |= kPollHup;
  }
  return ev;
}

CallResult SocketTable::Poll(const SyscallSpec& c) {
  if (c.args.size() != 3) return CallResult::ScriptError("poll() takes 3 arguments");
  const Expression& fds = c.args[0];
  if (fds.kind != Expression::Kind::kList)
    return CallResult::ScriptError("poll() needs [{fd=...}]");
  int64_t ready = 0;
  std::optional<std::string> mismatch;
  for (const Expression& pfd : fds.items) {
    int64_t fd = -1;
    int64_t events = 0;
    std::optional<int64_t> want;
    for (const Expression& field : pfd.items) {
      if (field.kind != Expression::Kind::kAssign) continue;
      absl::StatusOr<int64_t> v = IntOf(field.items[1]);
      if (!v.ok()) return FromStatus(v.status());
      const std::string& f = field.items[0].text;
      if (f == "fd") fd = *v;
      if (f == "events") events = *v;
      if (f == "revents") want = *v;
    }
    Socket* s = Find(fd);
    const int64_t revents = s == nullptr ? 0x20 /* POLLNVAL */
                                         : PollEvents(*s) & (events | kPollErr | kPollHup);
    if (revents != 0) ++ready;
    if (want && *want != revents && !mismatch) {
      mismatch = absl::StrCat("poll revents for fd ", fd, ": expected ", *want, ", got ", revents);
    }
  }
  if (ready == 0) {
    absl::StatusOr<int64_t> timeout = IntOf(c.args[2]);
    if (!timeout.ok()) return FromStatus(timeout.status());
    if (*timeout != 0) return CallResult::Block();
  }
  CallResult r = CallResult::Done(ready);
  r.output_mismatch = mismatch;
  return r;
}

}  // namespace tcpaas::conformance
