#!/usr/bin/env bash
# Runs ctest over a build directory and ends with ctest's summary. Extra arguments go to ctest.
# Tests that need root or /dev/net/tun report themselves as skipped with the reason.
set -uo pipefail
build_dir=${1:-build}
shift || true
export TCPAAS_ARTIFACTS_DIR=${TCPAAS_ARTIFACTS_DIR:-$PWD/$build_dir/artifacts}
mkdir -p "$TCPAAS_ARTIFACTS_DIR"
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
  echo "run-tests: not root or no /dev/net/tun: interop tests will skip"
fi
cd "$build_dir" || exit 1
ctest --output-on-failure --no-tests=error -j "$(nproc)" "$@"
status=$?
if [ $status -ne 0 ]; then
  echo "run-tests: failures; pcaps and logs of failing runs are in $TCPAAS_ARTIFACTS_DIR"
fi
exit $status
