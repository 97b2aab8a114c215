# tcpaas — the commands the README documents. `make run` and `make test` are all the set-up
# anyone needs on a fresh Debian machine: both install what is missing first.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)
CTEST_FLAGS ?=
# `make conformance` runs our own packetdrill-syntax scripts; PKT_DIR=<dir> runs every .pkt
# below another directory (e.g. ../shared/packetdrill/tcp) as a report.
PKT_DIR ?= tests/conformance

.PHONY: all deps configure build test unit sim interop asan e2e conformance run demo bench bench-loss \
    lint format clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Every test: unit, sim, their ASan+UBSan builds, interop (root; skips with a reason otherwise).
test: build
	@scripts/run-tests.sh $(BUILD_DIR) $(CTEST_FLAGS)

# One label at a time.
unit sim interop asan e2e: build
	@scripts/run-tests.sh $(BUILD_DIR) -L '^$@$$' $(CTEST_FLAGS)

conformance: build
	@$(BUILD_DIR)/tools/conformance/tcpaas-conformance $(if $(filter tests/conformance,$(PKT_DIR)),,--report) $(PKT_DIR)

# tcpaasd on its default sandbox network (a private namespace with echo, discard, chargen
# and HTTP on 198.18.0.1); gRPC on 127.0.0.1:50051, metrics on 127.0.0.1:9464. Needs root.
RUN_FLAGS ?=
run: build
	@$(BUILD_DIR)/server/tcpaasd $(RUN_FLAGS)

# The stack alone, without gRPC: our stack serves echo and HTTP inside a namespace.
demo: build
	@$(BUILD_DIR)/tools/demo/tcpaas-demo

# Benchmarks (bench/README.md); root and /dev/net/tun, never part of `make test`.
# `make bench` is the loss benchmark for now (more later); BENCH_FLAGS passes its flags,
# e.g. make bench-loss BENCH_FLAGS='--repeats=5 --losses=0,1,2,5 --cc=cubic'.
BENCH_FLAGS ?=
bench-loss: build
	@$(BUILD_DIR)/bench/loss_bench $(BENCH_FLAGS)

bench: bench-loss

lint: configure
	@scripts/lint.sh $(BUILD_DIR)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
