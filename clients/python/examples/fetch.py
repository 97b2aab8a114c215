#!/usr/bin/python3
"""Fetches a URL over HTTP/1.0 through tcpaasd and prints the body's size and SHA-256.

    PYTHONPATH=build/gen/python:clients/python /usr/bin/python3 \\
        clients/python/examples/fetch.py http://198.18.0.1/bytes/1000000

Connect, Send the request with FIN, Recv to EOF, Close. With --dial, the same over one Dial
call. Prints the status line, then `bytes: N` and `sha256: HEX` of the body. Exits 1 with the
gRPC status on failure.
"""

import argparse
import hashlib
import sys
import urllib.parse

import grpc

import tcpaas_client


def parse_url(url):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"not an http:// URL: {url}")
    return parts.hostname, parts.port or 80, parts.path or "/"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", nargs="?", default="http://198.18.0.1/bytes/1000000")
    parser.add_argument("--server", default="127.0.0.1:50051", help="tcpaasd's gRPC address")
    parser.add_argument("--dial", action="store_true", help="use one Dial call")
    args = parser.parse_args()

    try:
        host, port, path = parse_url(args.url)
    except ValueError as e:
        parser.error(str(e))
    request = f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode()

    try:
        with tcpaas_client.Client(args.server) as client:
            if args.dial:
                response = client.dial(host, port, request)
            else:
                with client.connect(host, port) as conn:
                    conn.send(request, fin=True)
                    response = conn.recv_all()
    except grpc.RpcError as e:
        print(f"fetch: {e.code().name}: {e.details()}", file=sys.stderr)
        return 1

    head, sep, body = response.partition(b"\r\n\r\n")
    if not sep:
        print("fetch: the response has no header end", file=sys.stderr)
        return 1
    print(head.split(b"\r\n", 1)[0].decode(errors="replace"))
    print(f"bytes: {len(body)}")
    print(f"sha256: {hashlib.sha256(body).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
