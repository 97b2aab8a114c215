#include "tests/support/netns.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace tcpaas::test {
namespace {

constexpr char kNetnsDir[] = "/var/run/netns";
constexpr char kPrefix[] = "tcpaas-";
constexpr size_t kMaxTagLength = 32;

absl::Status CommandError(const std::vector<std::string>& argv, const CommandResult& r) {
  return absl::InternalError(absl::StrCat("`", CommandLine(argv), "` exited with ", r.exit_code,
                                          ": ", absl::StripTrailingAsciiWhitespace(r.output)));
}

absl::Status RunChecked(const std::vector<std::string>& argv) {
  const CommandResult r = RunCommand(argv);
  if (r.exit_code != 0) return CommandError(argv, r);
  return absl::OkStatus();
}

// The pid in "tcpaas-<tag>-<pid>-<n>", or 0 if `name` does not have that shape. The tag may
// itself contain dashes, so the fields are taken from the end.
pid_t OwnerPid(absl::string_view name) {
  if (!absl::ConsumePrefix(&name, kPrefix)) return 0;
  const std::vector<absl::string_view> fields = absl::StrSplit(name, '-');
  if (fields.size() < 3) return 0;
  int64_t pid = 0;
  uint64_t n = 0;
  if (!absl::SimpleAtoi(fields[fields.size() - 2], &pid) || pid <= 0 ||
      !absl::SimpleAtoi(fields.back(), &n)) {
    return 0;
  }
  return static_cast<pid_t>(pid);
}

bool ProcessAlive(pid_t pid) { return kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace

bool CanUseNetworkDevices(std::string* reason) {
  if (geteuid() != 0) {
    *reason = "needs root (creates network namespaces and TAP devices)";
    return false;
  }
  const int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    *reason = absl::StrCat("cannot open /dev/net/tun: ", std::strerror(errno));
    return false;
  }
  close(fd);
  if (!HaveProgram("ip")) {
    *reason = "`ip` (iproute2) is not installed";
    return false;
  }
  return true;
}

absl::StatusOr<std::unique_ptr<TestNetns>> TestNetns::Create(std::string_view tag_view) {
  const absl::string_view tag(tag_view.data(), tag_view.size());
  if (tag.empty() || tag.size() > kMaxTagLength || !std::all_of(tag.begin(), tag.end(), [](char c) {
        return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' || c == '-';
      })) {
    return absl::InvalidArgumentError(absl::StrCat("TestNetns tag '", tag, "': use 1..",
                                                   kMaxTagLength, " characters of [a-z0-9_-]"));
  }
  static std::once_flag cleaned;
  std::call_once(cleaned, RemoveStaleTestNamespaces);

  static std::atomic<uint64_t> counter{0};
  const std::string name = absl::StrCat(kPrefix, tag, "-", getpid(), "-", counter.fetch_add(1));
  const std::vector<std::string> add = {"ip", "netns", "add", name};
  CommandResult r = RunCommand(add);
  if (r.exit_code != 0 && access(absl::StrCat(kNetnsDir, "/", name).c_str(), F_OK) == 0) {
    // Left behind by an earlier process that had our pid: ours to replace.
    RunCommand({"ip", "netns", "del", name});
    r = RunCommand(add);
  }
  if (r.exit_code != 0) return CommandError(add, r);
  auto netns = std::unique_ptr<TestNetns>(new TestNetns(name));
  if (absl::Status s = RunChecked({"ip", "-n", name, "link", "set", "lo", "up"}); !s.ok()) return s;
  return netns;
}

TestNetns::~TestNetns() {
  const CommandResult r = RunCommand({"ip", "netns", "del", name_});
  if (r.exit_code != 0) {
    std::fprintf(stderr, "TestNetns: `ip netns del %s` failed: %s\n", name_.c_str(),
                 r.output.c_str());
  }
}

std::string TestNetns::path() const { return absl::StrCat(kNetnsDir, "/", name_); }

CommandResult TestNetns::Run(const std::vector<std::string>& argv) {
  std::vector<std::string> full = {"ip", "netns", "exec", name_};
  full.insert(full.end(), argv.begin(), argv.end());
  return RunCommand(full);
}

absl::Status TestNetns::Exec(const std::vector<std::string>& argv) {
  const CommandResult r = Run(argv);
  if (r.exit_code != 0) {
    std::vector<std::string> full = {"ip", "netns", "exec", name_};
    full.insert(full.end(), argv.begin(), argv.end());
    return CommandError(full, r);
  }
  return absl::OkStatus();
}

absl::Status TestNetns::ExecAll(const std::vector<std::vector<std::string>>& commands) {
  for (const std::vector<std::string>& argv : commands) {
    if (absl::Status s = Exec(argv); !s.ok()) return s;
  }
  return absl::OkStatus();
}

void RemoveStaleTestNamespaces() {
  DIR* dir = opendir(kNetnsDir);
  if (dir == nullptr) return;  // no namespaces at all
  std::vector<std::string> stale;
  while (const dirent* entry = readdir(dir)) {
    const pid_t pid = OwnerPid(entry->d_name);
    if (pid != 0 && !ProcessAlive(pid)) stale.emplace_back(entry->d_name);
  }
  closedir(dir);
  for (const std::string& name : stale) {
    const CommandResult r = RunCommand({"ip", "netns", "del", name});
    // A concurrent test process may have removed it first; that is fine.
    if (r.exit_code != 0 && access(absl::StrCat(kNetnsDir, "/", name).c_str(), F_OK) == 0) {
      std::fprintf(stderr, "RemoveStaleTestNamespaces: `ip netns del %s` failed: %s\n",
                   name.c_str(), r.output.c_str());
    }
  }
}

}  // namespace tcpaas::test
