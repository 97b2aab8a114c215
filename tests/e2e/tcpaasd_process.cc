#include "tests/e2e/tcpaasd_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tcpaas/v1/tcp.grpc.pb.h"
#include "tests/support/command.h"

namespace tcpaas::e2e {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(30);

std::string ArtifactsDir() {
  const char* dir = std::getenv("TCPAAS_ARTIFACTS_DIR");
  if (dir == nullptr || *dir == '\0') return "/tmp";
  mkdir(dir, 0755);
  return dir;
}

// Non-blocking check whether the child exited; fills *status if it did.
bool Exited(pid_t pid, int* status) { return waitpid(pid, status, WNOHANG) == pid; }

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exited with status ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("killed by signal ", WTERMSIG(status));
  return "stopped";
}

// True once the service answers an RPC (ListConnections needs nothing but the service).
bool ServiceAnswers(const std::shared_ptr<grpc::Channel>& channel) {
  if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                 std::chrono::milliseconds(200))) {
    return false;
  }
  auto stub = v1::TcpService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  v1::ListConnectionsResponse response;
  return stub->ListConnections(&context, v1::ListConnectionsRequest(), &response).ok();
}

}  // namespace

absl::StatusOr<uint16_t> PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return absl::InternalError(absl::StrCat("bind/getsockname: ", std::strerror(errno)));
  }
  close(fd);
  return ntohs(addr.sin_port);
}

bool NetnsExists(const std::string& name) {
  struct stat st;
  return stat(absl::StrCat("/var/run/netns/", name).c_str(), &st) == 0;
}

absl::StatusOr<std::unique_ptr<Tcpaasd>> Tcpaasd::Start(
    const std::string& binary, absl::string_view tag, const std::vector<std::string>& extra_flags) {
  static std::atomic<int> counter{0};
  std::unique_ptr<Tcpaasd> d(new Tcpaasd());
  // "tcpaas-<tag>-<pid>-<n>": the shape tests/support/netns.cc removes when a run crashed.
  d->sandbox_ = absl::StrCat("tcpaas-", tag, "-", getpid(), "-", counter.fetch_add(1));
  d->log_path_ = absl::StrCat(ArtifactsDir(), "/tcpaasd-", d->sandbox_, ".log");
  absl::StatusOr<uint16_t> grpc_port = PickFreePort();
  absl::StatusOr<uint16_t> metrics_port = PickFreePort();
  if (!grpc_port.ok()) return grpc_port.status();
  if (!metrics_port.ok()) return metrics_port.status();
  d->grpc_target_ = absl::StrCat("127.0.0.1:", *grpc_port);
  d->metrics_port_ = *metrics_port;

  std::vector<std::string> argv = {binary, "--network=sandbox",
                                   absl::StrCat("--sandbox_name=", d->sandbox_),
                                   absl::StrCat("--listen=", d->grpc_target_),
                                   absl::StrCat("--metrics_listen=127.0.0.1:", *metrics_port)};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);

  // Everything the child needs is prepared before fork(): after it, only async-signal-safe
  // calls (the test process has gRPC threads).
  const int log_fd = open(d->log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot open ", d->log_path_, ": ", std::strerror(errno)));
  }
  const pid_t parent = getpid();
  d->pid_ = fork();
  if (d->pid_ == 0) {
    // If the test process dies (a crash, ctest's timeout), the daemon gets SIGTERM and drains
    // and removes its namespace instead of outliving the test.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    const int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(args[0], args.data());
    _exit(127);
  }
  const int fork_errno = errno;
  close(log_fd);
  if (d->pid_ < 0) {
    d->pid_ = -1;
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(fork_errno)));
  }

  d->channel_ = grpc::CreateChannel(d->grpc_target_, grpc::InsecureChannelCredentials());
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (!ServiceAnswers(d->channel_)) {
    int status = 0;
    if (Exited(d->pid_, &status)) {
      d->reaped_ = true;
      return absl::InternalError(absl::StrCat("tcpaasd ", DescribeExit(status),
                                              " during startup; its log:\n", d->LogTail()));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat("tcpaasd did not answer on ", d->grpc_target_,
                                                      " within 30 s; its log:\n", d->LogTail()));
    }
  }
  return d;
}

Tcpaasd::~Tcpaasd() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
  }
  // A daemon killed or crashed leaves its namespace; nothing of a test may stay behind.
  if (!sandbox_.empty() && NetnsExists(sandbox_)) {
    test::RunCommand({"ip", "netns", "del", sandbox_});
  }
}

absl::Status Tcpaasd::Stop(int timeout_seconds) {
  if (pid_ <= 0 || reaped_) return absl::FailedPreconditionError("tcpaasd is not running");
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  while (!Exited(pid_, &status)) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      reaped_ = true;
      return absl::DeadlineExceededError(
          absl::StrCat("tcpaasd did not exit within ", timeout_seconds, " s of SIGTERM"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  reaped_ = true;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat("tcpaasd ", DescribeExit(status), " after SIGTERM"));
  }
  if (NetnsExists(sandbox_)) {
    return absl::InternalError(absl::StrCat("tcpaasd exited but left namespace ", sandbox_));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Tcpaasd::RssBytes() const {
  std::ifstream in(absl::StrCat("/proc/", pid_, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, "VmRSS:")) continue;
    rest = absl::StripAsciiWhitespace(rest);
    uint64_t kib = 0;
    if (absl::ConsumeSuffix(&rest, "kB") &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &kib)) {
      return kib * 1024;
    }
  }
  return absl::NotFoundError(absl::StrCat("no VmRSS in /proc/", pid_, "/status"));
}

std::string Tcpaasd::LogTail(size_t max_bytes) const {
  std::ifstream in(log_path_);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string log = buffer.str();
  if (log.size() > max_bytes) log = "..." + log.substr(log.size() - max_bytes);
  return log;
}

}  // namespace tcpaas::e2e
