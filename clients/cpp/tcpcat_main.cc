// tcpcat: nc for TCP connections carried by tcpaasd.
//
//   tcpcat [--server=ADDR] HOST PORT     connect; stdin -> connection -> stdout
//   tcpcat [--server=ADDR] -l PORT       accept one connection on the stack's PORT
//
// EOF on stdin sends FIN; the session ends when the peer's FIN has been written to stdout.
// Exit status: 0 on success, 1 when the connection or the service fails (the gRPC status code
// and message are printed), 2 on a usage error.
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/cpp/client.h"
#include "clients/cpp/fd_pump.h"
#include "clients/cpp/grpc_status.h"
#include "clients/cpp/stats_text.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "tcpaasd's gRPC address (host:port)");
ABSL_FLAG(int32_t, l, 0, "listen: accept one connection on this port of the stack's address");
ABSL_FLAG(bool, stats, false, "print the connection's TCP statistics to stderr at exit");
ABSL_FLAG(std::string, transport, "sendrecv",
          "how the bytes travel: \"sendrecv\" (Connect, Send, Recv, Close; exact final stats) "
          "or \"dial\" (one bidirectional Dial call); accepted connections always use sendrecv");
ABSL_FLAG(int32_t, connect_timeout_ms, 0,
          "give up the handshake after this long (0: the stack's SYN retries decide)");
ABSL_FLAG(bool, no_delay, false, "disable Nagle's algorithm on the connection");
ABSL_FLAG(bool, verbose, false, "print the connection's endpoints to stderr when it opens");

namespace tcpaas::client {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int Fail(const absl::Status& status) {
  std::cerr << "tcpcat: " << DescribeStatus(status) << "\n";
  // gRPC's words for "nothing listens at --server".
  if (absl::IsUnavailable(status) &&
      absl::StrContains(status.message(), "failed to connect to all addresses")) {
    std::cerr << "tcpcat: is tcpaasd running at " << absl::GetFlag(FLAGS_server)
              << "? (start it with `make run`, or point --server at it)\n";
  }
  return kExitFailure;
}

int Usage(const std::string& problem) {
  std::cerr << "tcpcat: " << problem << "\n"
            << "usage: tcpcat [--server=ADDR] HOST PORT\n"
            << "       tcpcat [--server=ADDR] -l PORT\n"
            << "(tcpcat --help lists every flag)\n";
  return kExitUsage;
}

std::optional<uint32_t> ParsePort(const std::string& text) {
  uint32_t port = 0;
  if (!absl::SimpleAtoi(text, &port) || port == 0 || port > 65535) return std::nullopt;
  return port;
}

void PrintStats(Stream& stream) {
  absl::StatusOr<v1::Connection> stats = stream.Stats();
  if (stats.ok()) {
    std::cerr << StatsText(*stats);
  } else {
    std::cerr << "tcpcat: stats unavailable: " << DescribeStatus(stats.status()) << "\n";
  }
}

// Runs the session on an open stream and closes it. Returns the exit status.
int RunSession(Stream& stream, bool dial) {
  if (absl::GetFlag(FLAGS_verbose)) {
    const v1::Connection& c = stream.connection();
    std::cerr << "tcpcat: connected " << c.local().address() << ":" << c.local().port() << " -> "
              << c.remote().address() << ":" << c.remote().port() << " (id " << c.id() << ")\n";
  }
  const bool stats = absl::GetFlag(FLAGS_stats);
  const PumpResult pumped = PumpFds(stream, STDIN_FILENO, STDOUT_FILENO);
  // Whoever read our stdout stopped (`tcpcat ... | head`): end quietly, as nc does.
  if (pumped.output_closed) return 0;
  if (!pumped.status.ok()) return Fail(pumped.status);
  // A Dial call carries no final stats: take them while the connection still exists.
  if (stats && dial) PrintStats(stream);
  const absl::Status status = stream.Close();
  if (stats && !dial) PrintStats(stream);
  if (!status.ok()) return Fail(status);
  return 0;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "nc for tcpaasd's TCP connections.\n"
      "  tcpcat [--server=ADDR] HOST PORT   connect; stdin -> connection -> stdout\n"
      "  tcpcat [--server=ADDR] -l PORT     accept one connection on the stack's PORT");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  signal(SIGPIPE, SIG_IGN);  // a closed stdout is reported as a write error

  const std::string transport = absl::GetFlag(FLAGS_transport);
  if (transport != "sendrecv" && transport != "dial") {
    return Usage(
        absl::StrCat("--transport must be \"sendrecv\" or \"dial\", not \"", transport, "\""));
  }
  const bool dial = transport == "dial";
  Client client = Client::ForTarget(absl::GetFlag(FLAGS_server));
  v1::ConnectionOptions tcp;
  tcp.set_no_delay(absl::GetFlag(FLAGS_no_delay));

  const int32_t listen_port = absl::GetFlag(FLAGS_l);
  if (listen_port != 0) {
    if (args.size() != 1) return Usage("-l PORT takes no HOST PORT arguments");
    if (listen_port < 0 || listen_port > 65535) return Usage("-l: port must be 1..65535");
    ListenOptions options;
    options.tcp = tcp;
    absl::StatusOr<Listener> listener = client.Listen(static_cast<uint32_t>(listen_port), options);
    if (!listener.ok()) return Fail(listener.status());
    absl::StatusOr<Stream> stream = listener->Accept();
    if (!stream.ok()) return Fail(stream.status());
    listener->Close();  // one connection, like nc -l
    return RunSession(*stream, /*dial=*/false);
  }

  if (args.size() != 3) return Usage("expected HOST PORT");
  const std::string host = args[1];
  const std::optional<uint32_t> port = ParsePort(args[2]);
  if (!port.has_value()) return Usage(absl::StrCat("bad port \"", args[2], "\": want 1..65535"));
  ConnectOptions options;
  options.transport = dial ? Transport::kDial : Transport::kSendRecv;
  options.connect_timeout = absl::Milliseconds(absl::GetFlag(FLAGS_connect_timeout_ms));
  options.tcp = tcp;
  absl::StatusOr<Stream> stream = client.Connect(host, *port, options);
  if (!stream.ok()) return Fail(stream.status());
  return RunSession(*stream, dial);
}

}  // namespace
}  // namespace tcpaas::client

int main(int argc, char** argv) { return tcpaas::client::Main(argc, argv); }
