// The neighbour table of an Ethernet interface (RFC 826): IPv4 address -> hardware address,
// with entries that expire, a bounded number of entries (the oldest learned is evicted), and
// for destinations still resolving a bounded queue of datagrams plus the request schedule.
//
// The cache only keeps state and says what to do; the IP layer sends the requests, frames
// the released datagrams and reports the abandoned ones.
#ifndef TCPAAS_STACK_IP_ARP_CACHE_H_
#define TCPAAS_STACK_IP_ARP_CACHE_H_

#include <cstddef>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "stack/base/packet_buffer.h"
#include "stack/base/time.h"
#include "stack/wire/addr.h"

namespace tcpaas::ip {

struct ArpCacheConfig {
  Duration entry_ttl = Duration::Seconds(60);
  Duration retry_interval = Duration::Seconds(1);
  int max_requests = 3;              // requests per resolution before giving up
  size_t capacity = 1024;            // dynamic entries, resolving ones included
  size_t pending_per_neighbor = 32;  // datagrams queued for one resolving neighbour
  size_t pending_total = 1024;       // datagrams queued for all of them
};

class ArpCache {
 public:
  explicit ArpCache(const ArpCacheConfig& config);

  struct Hit {
    MacAddress mac;
    // Set, at most once per retry interval, when a learned entry in use nears its expiry:
    // the caller sends a request so that a live neighbour is confirmed before the entry
    // lapses and traffic to it has to wait for a new resolution.
    bool refresh = false;
  };
  // The hardware address for sending to `ip`, if resolved.
  std::optional<Hit> LookupForSend(Ipv4Address ip, Instant now);
  // The hardware address of `ip`, if resolved (learned or static).
  std::optional<MacAddress> Lookup(Ipv4Address ip) const;

  enum class EnqueueResult {
    kQueuedNewResolution,  // first datagram for `ip`: the caller sends the first request now
    kQueued,               // a resolution is already under way
    kFull,                 // no room: per-neighbour, total or table bound; `packet` untouched
  };
  // Queues a datagram for an address that LookupForSend() did not resolve.
  EnqueueResult Enqueue(Ipv4Address ip, PacketBuffer* packet, Instant now);

  // RFC 826 "merge": an ARP packet says `ip` is at `mac`. An existing entry (learned or
  // resolving) is updated; a new one is created only if `create` (the packet was for us).
  // Datagrams that waited for `ip` are appended to `released`, oldest first.
  void Merge(Ipv4Address ip, MacAddress mac, bool create, Instant now,
             std::vector<PacketBuffer>* released);
  // A permanent entry: never expires, never evicted, not changed by ARP packets.
  void AddStatic(Ipv4Address ip, MacAddress mac, std::vector<PacketBuffer>* released);

  struct PollResult {
    std::vector<Ipv4Address> requests;    // resolutions whose next request is due
    std::vector<PacketBuffer> abandoned;  // datagrams of resolutions that gave up
  };
  // Expires learned entries, schedules request retries and gives up on resolutions that
  // used all their requests.
  void Poll(Instant now, PollResult* out);
  Instant NextDeadline() const;

  size_t size() const { return entries_.size(); }
  size_t pending_packets() const { return pending_total_; }

 private:
  enum class State { kIncomplete, kReachable, kStatic };
  struct Entry {
    State state = State::kIncomplete;
    MacAddress mac;
    // kReachable: when it expires; kIncomplete: when the next request (or giving up) is due.
    Instant deadline;
    Instant refresh_from;  // kReachable: earliest time LookupForSend() asks for a refresh
    int requests_sent = 0;
    std::vector<PacketBuffer> pending;
  };
  using TimerSet = std::set<std::pair<Instant, Ipv4Address>>;

  // Makes room for one more dynamic entry by evicting the oldest learned one.
  bool MakeRoom();
  void SetReachable(Ipv4Address ip, Entry& entry, MacAddress mac, Instant now);
  void Unschedule(Ipv4Address ip, const Entry& entry);
  void ReleasePending(Entry& entry, std::vector<PacketBuffer>* out);
  void Erase(Ipv4Address ip);

  ArpCacheConfig config_;
  absl::flat_hash_map<Ipv4Address, Entry> entries_;
  TimerSet reachable_;   // learned entries by expiry; the first is the oldest, evicted first
  TimerSet incomplete_;  // resolving entries by next request
  size_t static_count_ = 0;
  size_t pending_total_ = 0;
};

}  // namespace tcpaas::ip

#endif  // TCPAAS_STACK_IP_ARP_CACHE_H_
