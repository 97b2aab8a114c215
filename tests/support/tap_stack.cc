#include "tests/support/tap_stack.h"

#include <utility>

#include "stack/host/host.h"
#include "stack/link/pcap_file.h"
#include "stack/link/pcap_writer.h"
#include "stack/link/tap_device.h"

namespace tcpaas::test {

absl::StatusOr<std::unique_ptr<TapStack>> TapStack::Start(const TapStackOptions& options) {
  link::TapOptions tap_options;
  tap_options.name = options.tap_name;
  tap_options.mtu = options.mtu;
  tap_options.netns = options.netns;
  tap_options.mac = options.mac;
  tap_options.bring_up = true;
  auto tap = link::TapDevice::Create(tap_options);
  if (!tap.ok()) return tap.status();

  std::unique_ptr<link::Device> device = std::move(*tap);
  if (!options.pcap_path.empty()) {
    link::PcapFile::Options pcap_options;
    pcap_options.link_type = link::PcapLinkType(device->link_layer());
    pcap_options.snaplen = options.pcap_snaplen;
    pcap_options.max_bytes = options.pcap_max_bytes;
    auto file = link::PcapFile::Open(options.pcap_path, pcap_options);
    if (!file.ok()) return file.status();
    device = std::make_unique<link::PcapWriter>(std::move(device), std::move(*file));
  }

  HostConfig config;
  config.interface.link_layer = link::LinkLayer::kEthernet;
  config.interface.mac = options.mac;
  config.interface.address = options.address;
  config.interface.mtu = options.mtu;
  config.tcp = options.tcp;
  runtime::StackThreadOptions thread_options;
  thread_options.thread_name = options.thread_name;

  std::unique_ptr<TapStack> stack(new TapStack());
  stack->thread_ =
      std::make_unique<runtime::StackThread>(config, std::move(device), thread_options);
  stack->tcp_ = std::make_unique<BlockingTcp>(stack->thread_.get());
  // On failure the destructor undoes what was done.
  if (absl::Status s = stack->thread_->Start(); !s.ok()) return s;
  return stack;
}

TapStack::~TapStack() {
  // The event handler (tcp_) must outlive the stack thread: stopping aborts connections,
  // which delivers close events.
  if (thread_ != nullptr) thread_->Stop();
  thread_.reset();  // closes the capture and the TAP
  tcp_.reset();
}

}  // namespace tcpaas::test
