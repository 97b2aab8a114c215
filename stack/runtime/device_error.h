// How the stack thread treats errors a device reports. Device::Transmit's kUnavailable ("full,
// try later") never gets here: the Host keeps the frame queued.
#ifndef TCPAAS_STACK_RUNTIME_DEVICE_ERROR_H_
#define TCPAAS_STACK_RUNTIME_DEVICE_ERROR_H_

#include "absl/status/status.h"

namespace tcpaas::runtime {

// True for errors after which the device cannot work again: the fd is gone or unusable
// (EBADF, EPIPE: kFailedPrecondition; ENODEV, ENXIO: kNotFound), missing permissions or
// support, internal failures. The stack thread stops on them. Everything else (a downed link's
// EIO, a rejected frame's EINVAL/EMSGSIZE, ENOBUFS, EINTR) is transient: it is recorded and
// the loop keeps going.
bool IsFatalDeviceError(const absl::Status& status);

}  // namespace tcpaas::runtime

#endif  // TCPAAS_STACK_RUNTIME_DEVICE_ERROR_H_
