// Runs a parsed script against a TcpLayer in virtual time: '<' segments go in through
// OnPacket(), '>' lines claim the segments the layer sent (CaptureIp), system calls go to
// the socket table, and the clock moves only to script times and to the layer's deadlines.
// Blocking calls ("...t") wait in virtual time while later events run, as packetdrill's
// system-call thread does.
#ifndef TCPAAS_TESTS_CONFORMANCE_EXECUTOR_H_
#define TCPAAS_TESTS_CONFORMANCE_EXECUTOR_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "stack/base/counters.h"
#include "stack/base/time.h"
#include "stack/tcp/tcp_layer.h"
#include "tests/conformance/capture_ip.h"
#include "tests/conformance/code_block.h"
#include "tests/conformance/script.h"
#include "tests/conformance/script_connection.h"
#include "tests/conformance/setup.h"
#include "tests/conformance/syscalls.h"
#include "tests/conformance/timing.h"
#include "tests/conformance/verdict.h"

namespace tcpaas::conformance {

class Executor {
 public:
  // `log` (may be null) receives a trace of the run.
  Executor(const Script& script, const ScriptSetup& setup, std::vector<std::string>* log);
  ~Executor();

  Verdict Run();

 private:
  struct Pending {  // a blocking system call in progress
    const Event* event = nullptr;
    const SyscallSpec* call = nullptr;
    Instant start;  // script time the call was due
    Instant expected_end;
    bool done = false;
  };

  bool RunEvent(const Event& e, const ExpectedTime& when, std::optional<Instant> previous,
                Instant base);
  bool InjectPacket(const Event& e, const PacketSpec& p);
  bool InjectIcmp(const Event& e, const PacketSpec& p);
  bool ExpectPacket(const Event& e, const PacketSpec& p, const ExpectedTime& when,
                    std::optional<Instant> previous);
  bool StartSyscall(const Event& e, const SyscallSpec& call, Instant base);
  bool RunCommand(const Event& e, const CommandSpec& cmd);
  // A %{ }% block: evaluated over the connection's tcp_info now; like packetdrill, which runs
  // the Python after the last event, its failures count only if every event passed.
  void RunCode(const Event& e, const CodeSpec& code);
  // Judges a finished call: return value, errno, outputs, and for blocking calls the time.
  void CheckCall(const Event& e, const SyscallSpec& call, const CallResult& r,
                 const std::optional<Pending>& blocking);

  // Moves the clock to `target`, running every stack deadline on the way.
  void Advance(Instant target);
  // Like Advance(), but stops as soon as `done()` holds; returns done().
  bool AdvanceUntil(Instant limit, const std::function<bool()>& done);
  // After the layer did something: a malformed segment, a blocked call that can go on.
  void AfterStackActivity();
  // The next segment of the connection under test, waiting up to `give_up` for one.
  std::optional<ObservedSegment> NextSegment(Instant give_up);

  void Fail(int line, std::string message);
  void Unsupported(int line, absl::string_view reason);
  void Log(absl::string_view line);
  bool stopped() const { return verdict_.has_value(); }

  const Script& script_;
  ScriptSetup setup_;
  std::vector<std::string>* log_;
  ToleranceRule rule_;
  StackCounters counters_;
  CaptureIp ip_;
  std::unique_ptr<tcp::TcpLayer> tcp_;
  ScriptConnection conn_;
  SocketTable sockets_;
  Instant now_ = Instant::Zero();
  int current_line_ = 0;
  std::optional<Pending> pending_;
  std::optional<Verdict> verdict_;  // the first failure or unsupported feature
  CodeBlockEvaluator code_;
  std::optional<Verdict> code_failure_;      // the first failing assertion
  std::optional<Verdict> code_unsupported_;  // the first block the runner cannot evaluate
};

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_EXECUTOR_H_
