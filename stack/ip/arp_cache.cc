#include "stack/ip/arp_cache.h"

#include <algorithm>

namespace tcpaas::ip {

ArpCache::ArpCache(const ArpCacheConfig& config) : config_(config) {
  config_.max_requests = std::max(config_.max_requests, 1);
  // A zero interval would reschedule a request at the instant it fires, forever.
  config_.retry_interval = Max(config_.retry_interval, Duration::Nanos(1));
}

std::optional<ArpCache::Hit> ArpCache::LookupForSend(Ipv4Address ip, Instant now) {
  auto it = entries_.find(ip);
  if (it == entries_.end()) return std::nullopt;
  Entry& entry = it->second;
  switch (entry.state) {
    case State::kIncomplete:
      return std::nullopt;
    case State::kStatic:
      return Hit{entry.mac, false};
    case State::kReachable:
      break;
  }
  Hit hit{entry.mac, false};
  if (now >= entry.refresh_from) {
    hit.refresh = true;
    entry.refresh_from = now + config_.retry_interval;
  }
  return hit;
}

std::optional<MacAddress> ArpCache::Lookup(Ipv4Address ip) const {
  auto it = entries_.find(ip);
  if (it == entries_.end() || it->second.state == State::kIncomplete) return std::nullopt;
  return it->second.mac;
}

ArpCache::EnqueueResult ArpCache::Enqueue(Ipv4Address ip, PacketBuffer* packet, Instant now) {
  if (pending_total_ >= config_.pending_total) return EnqueueResult::kFull;
  auto it = entries_.find(ip);
  if (it != entries_.end()) {
    Entry& entry = it->second;
    // A resolved entry means the caller skipped LookupForSend(); refuse rather than hold a
    // datagram nobody will release.
    if (entry.state != State::kIncomplete) return EnqueueResult::kFull;
    if (entry.pending.size() >= config_.pending_per_neighbor) return EnqueueResult::kFull;
    entry.pending.push_back(std::move(*packet));
    ++pending_total_;
    return EnqueueResult::kQueued;
  }
  if (config_.pending_per_neighbor == 0 || !MakeRoom()) return EnqueueResult::kFull;
  Entry& entry = entries_[ip];
  entry.state = State::kIncomplete;
  entry.requests_sent = 1;  // the caller sends the first request right away
  entry.deadline = now + config_.retry_interval;
  incomplete_.emplace(entry.deadline, ip);
  entry.pending.push_back(std::move(*packet));
  ++pending_total_;
  return EnqueueResult::kQueuedNewResolution;
}

void ArpCache::Merge(Ipv4Address ip, MacAddress mac, bool create, Instant now,
                     std::vector<PacketBuffer>* released) {
  auto it = entries_.find(ip);
  if (it == entries_.end()) {
    // RFC 826: "If Merge_flag is false, add the triplet" -- only when we are the target.
    if (!create || !MakeRoom()) return;
    it = entries_.emplace(ip, Entry{}).first;
    SetReachable(ip, it->second, mac, now);
    return;
  }
  Entry& entry = it->second;
  if (entry.state == State::kStatic) return;
  // RFC 826: "update the sender hardware address field of the entry with the new
  // information in the packet" -- whether or not the packet was for us.
  Unschedule(ip, entry);
  SetReachable(ip, entry, mac, now);
  ReleasePending(entry, released);
}

void ArpCache::AddStatic(Ipv4Address ip, MacAddress mac, std::vector<PacketBuffer>* released) {
  Entry& entry = entries_[ip];
  if (entry.state != State::kStatic) {
    Unschedule(ip, entry);
    ++static_count_;
  }
  entry.state = State::kStatic;
  entry.mac = mac;
  entry.deadline = Instant::Never();
  ReleasePending(entry, released);
}

void ArpCache::Poll(Instant now, PollResult* out) {
  while (!reachable_.empty() && reachable_.begin()->first <= now) {
    Erase(reachable_.begin()->second);
  }
  while (!incomplete_.empty() && incomplete_.begin()->first <= now) {
    const Ipv4Address ip = incomplete_.begin()->second;
    incomplete_.erase(incomplete_.begin());
    auto it = entries_.find(ip);
    if (it == entries_.end()) continue;
    Entry& entry = it->second;
    if (entry.requests_sent >= config_.max_requests) {
      ReleasePending(entry, &out->abandoned);
      entries_.erase(it);
      continue;
    }
    ++entry.requests_sent;
    entry.deadline = now + config_.retry_interval;
    incomplete_.emplace(entry.deadline, ip);
    out->requests.push_back(ip);
  }
}

Instant ArpCache::NextDeadline() const {
  Instant next = Instant::Never();
  if (!reachable_.empty()) next = Earliest(next, reachable_.begin()->first);
  if (!incomplete_.empty()) next = Earliest(next, incomplete_.begin()->first);
  return next;
}

bool ArpCache::MakeRoom() {
  if (entries_.size() - static_count_ < config_.capacity) return true;
  if (reachable_.empty()) return false;  // only resolving entries: keep them
  Erase(reachable_.begin()->second);
  return true;
}

void ArpCache::SetReachable(Ipv4Address ip, Entry& entry, MacAddress mac, Instant now) {
  entry.state = State::kReachable;
  entry.mac = mac;
  entry.requests_sent = 0;
  entry.deadline = now + config_.entry_ttl;
  // Leave the last max_requests retry intervals of the entry's life for refreshing it.
  const Duration refresh_window = config_.retry_interval * config_.max_requests;
  entry.refresh_from = config_.entry_ttl > refresh_window ? entry.deadline - refresh_window : now;
  reachable_.emplace(entry.deadline, ip);
}

void ArpCache::Unschedule(Ipv4Address ip, const Entry& entry) {
  if (entry.state == State::kReachable) reachable_.erase({entry.deadline, ip});
  if (entry.state == State::kIncomplete) incomplete_.erase({entry.deadline, ip});
}

void ArpCache::ReleasePending(Entry& entry, std::vector<PacketBuffer>* out) {
  pending_total_ -= entry.pending.size();
  for (PacketBuffer& packet : entry.pending) out->push_back(std::move(packet));
  entry.pending.clear();
}

void ArpCache::Erase(Ipv4Address ip) {
  auto it = entries_.find(ip);
  if (it == entries_.end()) return;
  Unschedule(ip, it->second);
  if (it->second.state == State::kStatic) --static_count_;
  pending_total_ -= it->second.pending.size();
  entries_.erase(it);
}

}  // namespace tcpaas::ip
