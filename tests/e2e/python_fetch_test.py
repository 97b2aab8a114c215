#!/usr/bin/python3
"""End-to-end: the Python client fetches /bytes/1000000 from the sandbox's HTTP service.

Starts its own tcpaasd (sandbox mode, unique namespace, free ports) per test, runs
clients/python/examples/fetch.py against it (Send/Recv and Dial), and compares the body's
SHA-256 with a kernel-side fetch of the same URL made inside the sandbox namespace.
Exits 77 (ctest: skipped) without root or /dev/net/tun.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import unittest

SKIP = 77
URL = "http://198.18.0.1/bytes/1000000"
ARGS = None


def can_use_network_devices():
    if os.geteuid() != 0:
        return "needs root (tcpaasd creates a network namespace and a TAP device)"
    if not os.path.exists("/dev/net/tun"):
        return "needs /dev/net/tun"
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_fetch_output(text):
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            fields[key] = value
    return fields


class Tcpaasd:
    counter = 0

    def __init__(self, binary):
        Tcpaasd.counter += 1
        # The shape tests/support/netns.cc removes after a crashed run.
        self.sandbox = f"tcpaas-e2epy-{os.getpid()}-{Tcpaasd.counter}"
        self.target = f"127.0.0.1:{free_port()}"
        artifacts = os.environ.get("TCPAAS_ARTIFACTS_DIR", "/tmp")
        os.makedirs(artifacts, exist_ok=True)
        self.log_path = os.path.join(artifacts, f"tcpaasd-{self.sandbox}.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [binary, "--network=sandbox", f"--sandbox_name={self.sandbox}",
             f"--listen={self.target}", f"--metrics_listen=127.0.0.1:{free_port()}"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self):
        import grpc
        from tcpaas.v1 import tcp_pb2, tcp_pb2_grpc
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"tcpaasd exited with {self.proc.returncode}: {self.log_tail()}")
            with grpc.insecure_channel(self.target) as channel:
                try:
                    grpc.channel_ready_future(channel).result(timeout=0.5)
                    tcp_pb2_grpc.TcpServiceStub(channel).ListConnections(
                        tcp_pb2.ListConnectionsRequest(), timeout=2)
                    return
                except (grpc.FutureTimeoutError, grpc.RpcError):
                    pass
        raise RuntimeError(f"tcpaasd did not answer on {self.target}: {self.log_tail()}")

    def log_tail(self):
        with open(self.log_path, "rb") as f:
            return f.read()[-4096:].decode(errors="replace")

    def stop(self):
        """SIGTERM; returns (exit status, namespace left behind)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.log.close()
        left = os.path.exists(f"/var/run/netns/{self.sandbox}")
        if left:
            subprocess.run(["ip", "netns", "del", self.sandbox], check=False)
        return code, left


class PythonFetchTest(unittest.TestCase):
    def setUp(self):
        self.daemon = Tcpaasd(ARGS.tcpaasd)

    def tearDown(self):
        code, left = self.daemon.stop()
        self.assertEqual(code, 0, f"tcpaasd exit status; log: {self.daemon.log_tail()}")
        self.assertFalse(left, f"tcpaasd left namespace {self.daemon.sandbox}")

    def fetch(self, *extra):
        result = subprocess.run(
            ["/usr/bin/python3", ARGS.fetch, f"--server={self.daemon.target}", *extra, URL],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def kernel_reference(self):
        """The same URL fetched by the kernel's own TCP inside the sandbox namespace."""
        script = ("import hashlib, urllib.request; "
                  f"b = urllib.request.urlopen('{URL}', timeout=60).read(); "
                  "print(len(b), hashlib.sha256(b).hexdigest())")
        result = subprocess.run(
            ["ip", "netns", "exec", self.daemon.sandbox, "/usr/bin/python3", "-c", script],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        length, digest = result.stdout.split()
        return int(length), digest

    def check(self, output):
        fields = parse_fetch_output(output)
        self.assertIn(" 200", output.splitlines()[0])
        self.assertEqual(fields.get("bytes"), "1000000", output)
        length, digest = self.kernel_reference()
        self.assertEqual(length, 1000000)
        self.assertEqual(fields.get("sha256"), digest)

    def test_fetch_through_send_and_recv(self):
        self.check(self.fetch())

    def test_fetch_through_dial(self):
        self.check(self.fetch("--dial"))


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--tcpaasd", required=True)
    parser.add_argument("--fetch", required=True)
    ARGS, rest = parser.parse_known_args()
    reason = can_use_network_devices()
    if reason:
        print(f"SKIP: {reason}")
        return SKIP
    program = unittest.main(argv=[sys.argv[0], *rest], exit=False, verbosity=2)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
