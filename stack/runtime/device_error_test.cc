#include "stack/runtime/device_error.h"

#include <cerrno>

#include "gtest/gtest.h"

namespace tcpaas::runtime {
namespace {

struct ErrnoCase {
  int error;
  bool fatal;
};

class DeviceErrorTest : public testing::TestWithParam<ErrnoCase> {};

// The devices turn errno values into Status with absl::ErrnoToStatus; these are the ones a
// TAP or socket can report.
TEST_P(DeviceErrorTest, ClassifiesErrnoStatuses) {
  const absl::Status status = absl::ErrnoToStatus(GetParam().error, "device");
  EXPECT_EQ(IsFatalDeviceError(status), GetParam().fatal) << status;
}

INSTANTIATE_TEST_SUITE_P(Errnos, DeviceErrorTest,
                         testing::Values(ErrnoCase{EBADF, true}, ErrnoCase{EPIPE, true},
                                         ErrnoCase{ENODEV, true}, ErrnoCase{ENXIO, true},
                                         ErrnoCase{EPERM, true}, ErrnoCase{EIO, false},
                                         ErrnoCase{EINVAL, false}, ErrnoCase{EMSGSIZE, false},
                                         ErrnoCase{ENOBUFS, false}, ErrnoCase{EINTR, false},
                                         ErrnoCase{EAGAIN, false}, ErrnoCase{ENETDOWN, false}));

TEST(DeviceErrorTest, OkIsNotFatal) { EXPECT_FALSE(IsFatalDeviceError(absl::OkStatus())); }

}  // namespace
}  // namespace tcpaas::runtime
