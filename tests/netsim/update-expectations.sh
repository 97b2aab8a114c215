#!/usr/bin/env bash
# Rewrites tests/netsim/expectations.txt from a run of the netsim matrix (both congestion
# controls, the default seeds). Usage, from anywhere: tests/netsim/update-expectations.sh [build dir]
# The build dir (default: build) must be configured; netsim_test is built first.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
cmake --build "$build" --target netsim_test
"$build/netsim_test" --gtest_filter='NetsimMatrix.*' \
  --netsim_update_expectations="$root/tests/netsim/expectations.txt"
git -C "$root" diff --stat -- tests/netsim/expectations.txt
