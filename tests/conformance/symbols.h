// Linux's values for the symbolic constants packetdrill scripts use in system calls: errno
// names, socket levels and options, flags. Scripts compare against Linux's numbers (e.g.
// "fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)"), so the runner uses the same ones.
#ifndef TCPAAS_TESTS_CONFORMANCE_SYMBOLS_H_
#define TCPAAS_TESTS_CONFORMANCE_SYMBOLS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace tcpaas::conformance {

std::optional<int64_t> SymbolValue(absl::string_view name);

// The errno name for a value ("ECONNRESET"), or the number as text.
std::string ErrnoName(int err);

// Linux errno values the executor returns.
inline constexpr int kEAGAIN = 11;
inline constexpr int kEBADF = 9;
inline constexpr int kEINVAL = 22;
inline constexpr int kEPIPE = 32;
inline constexpr int kENOTCONN = 107;
inline constexpr int kEISCONN = 106;
inline constexpr int kEALREADY = 114;
inline constexpr int kEINPROGRESS = 115;
inline constexpr int kECONNREFUSED = 111;
inline constexpr int kECONNRESET = 104;
inline constexpr int kETIMEDOUT = 110;
inline constexpr int kEHOSTUNREACH = 113;
inline constexpr int kEADDRINUSE = 98;
inline constexpr int kENOBUFS = 105;
inline constexpr int kEOPNOTSUPP = 95;

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_SYMBOLS_H_
