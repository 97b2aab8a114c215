#include "bench/interrupt_cleanup.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/support/command.h"

namespace tcpaas::bench {
namespace {

std::mutex& Mutex() {
  static std::mutex mu;
  return mu;
}

std::set<std::string>& Namespaces() {
  static std::set<std::string>* names = new std::set<std::string>();
  return *names;
}

sigset_t InterruptSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

[[noreturn]] void WaitAndClean() {
  const sigset_t set = InterruptSignals();
  int signal_number = 0;
  while (sigwait(&set, &signal_number) != 0) {
  }
  std::fprintf(stderr, "\nbench-loss: %s, removing the benchmark's namespaces\n",
               strsignal(signal_number));
  {
    // Held until _exit: nothing may register a namespace after this sweep.
    Mutex().lock();
    for (const std::string& name : Namespaces()) {
      const test::CommandResult r = test::RunCommand({"ip", "netns", "del", name});
      if (r.exit_code != 0) {
        std::fprintf(stderr, "bench-loss: `ip netns del %s` failed: %s\n", name.c_str(),
                     r.output.c_str());
      }
    }
  }
  std::fflush(stdout);
  _exit(128 + signal_number);
}

}  // namespace

absl::Status InstallInterruptCleanup() {
  const sigset_t set = InterruptSignals();
  if (const int err = pthread_sigmask(SIG_BLOCK, &set, nullptr); err != 0) {
    return absl::InternalError(absl::StrCat("pthread_sigmask: ", std::strerror(err)));
  }
  std::thread(WaitAndClean).detach();
  return absl::OkStatus();
}

void RegisterNamespace(const std::string& name) {
  std::lock_guard<std::mutex> lock(Mutex());
  Namespaces().insert(name);
}

void UnregisterNamespace(const std::string& name) {
  std::lock_guard<std::mutex> lock(Mutex());
  Namespaces().erase(name);
}

}  // namespace tcpaas::bench
