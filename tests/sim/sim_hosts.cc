#include "tests/sim/sim_hosts.h"

#include "stack/base/random.h"

namespace tcpaas::sim {

HostConfig MakeSimHostConfig(uint64_t seed, uint64_t salt, size_t mtu, Ipv4Address address,
                             MacAddress mac) {
  HostConfig c;
  c.interface.link_layer = link::LinkLayer::kEthernet;
  c.interface.mac = mac;
  c.interface.address = Ipv4Cidr{address, 24};
  c.interface.mtu = mtu;
  // With up to 10% loss each way, three ARP requests all fail about once in 10,000 seeds,
  // and the connect then rightly fails as unreachable (as Linux's does). The simulation is
  // about TCP, so ARP gets more tries here.
  c.interface.arp_max_requests = 8;
  c.tcp.time_wait = Duration::Seconds(5);
  uint64_t state = seed ^ salt;
  c.tcp.secret = {SplitMix64(&state), SplitMix64(&state)};
  return c;
}

}  // namespace tcpaas::sim
