#include "server/network/sandbox_network.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/network/command.h"
#include "stack/link/netns.h"
#include "stack/link/tap_device.h"

namespace tcpaas::server {
namespace {

constexpr char kIpHint[] = "install iproute2";
constexpr char kLockDir[] = "/run/tcpaasd";

bool NamespaceExists(const std::string& name) {
  struct stat st;
  return ::stat(link::NetnsPath(name).c_str(), &st) == 0;
}

}  // namespace

absl::Status ValidateNamespaceName(absl::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] == '.' || name[0] == '-') {
    return absl::InvalidArgumentError(
        absl::StrCat("--sandbox_name=\"", name,
                     "\": use 1 to 64 letters, digits, '_', '.' or '-', not "
                     "starting with '.' or '-'"));
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("--sandbox_name=\"", name, "\": use only letters, digits, '_', '.' or '-'"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<SandboxNetwork>> SandboxNetwork::Create(
    const NetworkConfig& config) {
  if (absl::Status s = ValidateNamespaceName(config.sandbox_name); !s.ok()) return s;
  std::unique_ptr<SandboxNetwork> network(new SandboxNetwork(config));
  if (absl::Status s = network->SetUp(); !s.ok()) {
    // Undo the part that was done; the setup error is the one to report.
    network->TearDown().IgnoreError();
    return s;
  }
  return network;
}

absl::Status SandboxNetwork::SetUp() {
  const std::string& name = config_.sandbox_name;
  // One tcpaasd per sandbox name: the lock dies with its holder, so a namespace without a
  // holder is a leftover.
  ::mkdir(kLockDir, 0755);
  const std::string lock_path = absl::StrCat(kLockDir, "/", name, ".lock");
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open ", lock_path, ": ", std::strerror(errno)));
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("the sandbox namespace ", name,
                     " belongs to another running tcpaasd; stop it or pass "
                     "a different --sandbox_name"));
  }
  if (NamespaceExists(name)) {
    std::fprintf(stderr, "tcpaasd: removing namespace %s left over by an earlier run\n",
                 name.c_str());
    if (absl::Status s = RunChecked({"ip", "netns", "del", name}, kIpHint); !s.ok()) return s;
  }
  if (absl::Status s = RunChecked({"ip", "netns", "add", name}, kIpHint); !s.ok()) return s;
  created_ = true;

  link::TapOptions tap;
  tap.name = config_.tap.empty() ? kDefaultTapName : config_.tap;
  tap.mtu = config_.mtu;
  tap.netns = name;
  tap.bring_up = true;
  auto device = link::TapDevice::Create(tap);
  if (!device.ok()) return device.status();
  device_name_ = (*device)->name();
  device_ = *std::move(device);

  const std::string kernel_cidr = kSandboxKernelCidr.ToString();
  for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
           {"ip", "-n", name, "link", "set", "lo", "up"},
           {"ip", "-n", name, "addr", "add", kernel_cidr, "dev", device_name_},
           {"ip", "-n", name, "link", "set", device_name_, "up"},
       }) {
    if (absl::Status s = RunChecked(argv, kIpHint); !s.ok()) return s;
  }

  if (config_.sandbox_services) {
    SandboxServicesOptions options;
    options.netns = name;
    options.address = kSandboxKernelCidr.address;
    auto services = SandboxServices::Start(options);
    if (!services.ok()) return services.status();
    services_ = *std::move(services);
  }
  return absl::OkStatus();
}

SandboxNetwork::~SandboxNetwork() { TearDown().IgnoreError(); }

ip::InterfaceConfig SandboxNetwork::Interface() const {
  ip::InterfaceConfig interface;
  interface.link_layer = link::LinkLayer::kEthernet;
  interface.address = kSandboxStackCidr;
  interface.mtu = config_.mtu;
  // No gateway: nothing lies beyond the sandbox, so other destinations fail at once ("no
  // route") instead of timing out.
  return interface;
}

std::vector<std::string> SandboxNetwork::Describe() const {
  std::vector<std::string> lines;
  lines.push_back(absl::StrCat("network sandbox: namespace ", config_.sandbox_name, ", device ",
                               device_name_, ", stack ", kSandboxStackCidr.ToString(),
                               ", kernel side ", kSandboxKernelCidr.ToString(), ", mtu ",
                               config_.mtu));
  if (services_ != nullptr) {
    lines.push_back(absl::StrCat("sandbox services on ", kSandboxKernelCidr.address.ToString(),
                                 ": ", services_->Describe()));
  }
  return lines;
}

absl::Status SandboxNetwork::TearDown() {
  absl::Status result;
  if (services_ != nullptr) {
    services_->Stop();
    services_.reset();
  }
  device_.reset();  // if the stack never took it
  if (created_) {
    created_ = false;
    // Deleting the name frees the namespace once the last device fd and socket in it close.
    if (absl::Status s = RunChecked({"ip", "netns", "del", config_.sandbox_name}, kIpHint);
        !s.ok()) {
      result = s;
    }
  }
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);  // releases the lock; the file stays (harmless, reused)
    lock_fd_ = -1;
  }
  return result;
}

}  // namespace tcpaas::server
