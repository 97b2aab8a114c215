// Ready-made frames for tests of devices and captures.
#ifndef TCPAAS_TESTS_SUPPORT_FRAMES_H_
#define TCPAAS_TESTS_SUPPORT_FRAMES_H_

#include <cstdint>
#include <vector>

#include "stack/wire/addr.h"

namespace tcpaas::test {

// A broadcast Ethernet frame carrying an ARP request "who has target_ip? tell sender_ip".
std::vector<uint8_t> ArpRequestFrame(MacAddress sender_mac, Ipv4Address sender_ip,
                                     Ipv4Address target_ip);

// An Ethernet frame carrying an ARP reply "sender_ip is at sender_mac", sent to target_mac.
std::vector<uint8_t> ArpReplyFrame(MacAddress sender_mac, Ipv4Address sender_ip,
                                   MacAddress target_mac, Ipv4Address target_ip);

}  // namespace tcpaas::test

#endif  // TCPAAS_TESTS_SUPPORT_FRAMES_H_
