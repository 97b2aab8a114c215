// The byte-stream services of the sandbox: echo (RFC 862), discard (RFC 863) and chargen
// (RFC 864), over TCP.
#ifndef TCPAAS_SERVER_SANDBOX_STREAM_SESSIONS_H_
#define TCPAAS_SERVER_SANDBOX_STREAM_SESSIONS_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "server/sandbox/chargen_pattern.h"
#include "server/sandbox/session.h"

namespace tcpaas::server {

// Sends back what it receives. At most one buffer (64 KiB) is held: when it is full, reading
// stops until the peer takes the echo, so a peer that never reads stalls on our window.
// After the peer's FIN and the last echoed byte: FIN.
class EchoSession final : public Session {
 public:
  SessionInterest OnReady(int fd, bool readable, bool writable) override;
  SessionInterest Initial() const override { return {.read = true}; }

 private:
  SessionInterest Interest() const;

  std::array<uint8_t, 64 * 1024> buffer_;
  size_t start_ = 0;  // first byte not yet echoed
  size_t end_ = 0;    // one past the last byte received
  bool peer_eof_ = false;
  bool failed_ = false;
};

// Reads and drops everything; closes after the peer's FIN.
class DiscardSession final : public Session {
 public:
  SessionInterest OnReady(int fd, bool readable, bool writable) override;
  SessionInterest Initial() const override { return {.read = true}; }

 private:
  std::array<uint8_t, 64 * 1024> buffer_;
};

// Sends the chargen stream as fast as the peer takes it, until the peer resets the
// connection; whatever the peer sends is read and dropped.
class ChargenSession final : public Session {
 public:
  SessionInterest OnReady(int fd, bool readable, bool writable) override;
  SessionInterest Initial() const override { return {.read = true, .write = true}; }

 private:
  ChargenPattern pattern_;
  std::array<uint8_t, 16 * 1024> chunk_;
  size_t chunk_start_ = 0;
  size_t chunk_end_ = 0;
  std::array<uint8_t, 4096> scratch_;  // received bytes, dropped
  bool peer_eof_ = false;
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SANDBOX_STREAM_SESSIONS_H_
