// The two hosts of every simulation: A = 198.18.0.1 (the client side) and B = 198.18.0.2 (the
// server side) on one Ethernet segment, configured for virtual time from a seed.
#ifndef TCPAAS_TESTS_SIM_SIM_HOSTS_H_
#define TCPAAS_TESTS_SIM_SIM_HOSTS_H_

#include <cstddef>
#include <cstdint>

#include "stack/host/host.h"
#include "stack/wire/addr.h"

namespace tcpaas::sim {

inline constexpr Ipv4Address kAddrA = Ipv4Address::FromOctets(198, 18, 0, 1);
inline constexpr Ipv4Address kAddrB = Ipv4Address::FromOctets(198, 18, 0, 2);
inline const MacAddress kMacA({0x02, 0, 0, 0, 0, 0x0a});
inline const MacAddress kMacB({0x02, 0, 0, 0, 0, 0x0b});

// A host on 198.18.0.0/24 with the given MTU, a short TIME_WAIT, patient ARP and ISN/port
// secrets drawn from seed ^ salt (use a different salt per host).
HostConfig MakeSimHostConfig(uint64_t seed, uint64_t salt, size_t mtu, Ipv4Address address,
                             MacAddress mac);

}  // namespace tcpaas::sim

#endif  // TCPAAS_TESTS_SIM_SIM_HOSTS_H_
