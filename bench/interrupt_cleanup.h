// Removes the benchmark's network namespaces when it is interrupted (SIGINT, SIGTERM,
// SIGHUP). Normal exits and setup failures clean up through destructors; a signal ends the
// process without them, so a helper thread waits for the signal (sigwait), deletes every
// namespace registered here, and exits with 128 + the signal number.
//
//   InstallInterruptCleanup();                  // first thing in main(), before any thread
//   RegisterNamespace(netns->name());           // right after creating it
//   UnregisterNamespace(netns->name());         // before its destructor deletes it
#ifndef TCPAAS_BENCH_INTERRUPT_CLEANUP_H_
#define TCPAAS_BENCH_INTERRUPT_CLEANUP_H_

#include <string>

#include "absl/status/status.h"

namespace tcpaas::bench {

// Blocks the signals in the calling thread (threads started later inherit that) and starts
// the thread that waits for them. Call once, before any other thread exists.
absl::Status InstallInterruptCleanup();

void RegisterNamespace(const std::string& name);
void UnregisterNamespace(const std::string& name);

}  // namespace tcpaas::bench

#endif  // TCPAAS_BENCH_INTERRUPT_CLEANUP_H_
