#!/usr/bin/env python3
"""Unit tests of the benchmark tools' own logic, run by scripts/test-all: the check that the
benchmark build is the shipped one (benchlib), and what bench/callgrind sends and reads.
`python3 bench/test_tools.py`."""

import http.server
import importlib.machinery
import importlib.util
import sys
import threading
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in bench/
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import benchlib  # noqa: E402

_loader = importlib.machinery.SourceFileLoader("callgrind", str(HERE / "callgrind"))
_spec = importlib.util.spec_from_loader("callgrind", _loader)
callgrind = importlib.util.module_from_spec(_spec)
_loader.exec_module(callgrind)


def artifact(crate, features):
    return {"reason": "compiler-artifact", "target": {"name": crate}, "features": features}


class CpuSplit(unittest.TestCase):
    """benchlib.cpu_split reads user and kernel time from /proc/<pid>/stat: checked against the
    kernel's own account of this process (os.times), so swapped fields would fail."""

    def test_user_work_lands_in_user_time(self):
        import os
        user0, kernel0 = benchlib.cpu_split(os.getpid())
        start = os.times()
        while os.times().user - start.user < 0.3:  # CPU time, not a wait: spins ~0.3 s
            sum(range(1000))
        user1, kernel1 = benchlib.cpu_split(os.getpid())
        self.assertGreater(user1 - user0, 0.2)
        self.assertLess(kernel1 - kernel0, user1 - user0)
        self.assertAlmostEqual(benchlib.cpu_seconds(os.getpid()), user1 + kernel1, delta=0.05)


class ShippedBuild(unittest.TestCase):
    """benchlib.build_release stops a run whose build compiled in a feature that only
    Cargo.toml's [dev-dependencies] ask for (tokio's `test-util`)."""

    def test_a_dev_dependency_feature_in_a_compiled_unit_is_named(self):
        messages = [artifact("tokio", ["rt", "net", "test-util", "time"]), artifact("serde", ["std"]),
                    {"reason": "build-finished", "success": True}]
        self.assertEqual(benchlib.dev_only_features(messages), ["tokio/test-util"])

    def test_the_normal_dependencies_features_pass(self):
        messages = [artifact("tokio", ["rt", "net", "time", "macros"]), artifact("hyper_util", ["tokio"])]
        self.assertEqual(benchlib.dev_only_features(messages), [])


class BackendFeatures(unittest.TestCase):
    """benchlib.build_release also stops when the backend's manifest asks a shared dependency for
    a feature the gateway's does not: one build would unify it into the gateway."""

    def test_the_manifests_as_they_are_pass(self):
        gateway = benchlib.tomllib.loads((HERE.parent / "Cargo.toml").read_text())
        backend = benchlib.tomllib.loads((HERE / "backend" / "Cargo.toml").read_text())
        tables = benchlib.feature_tables()
        self.assertEqual(benchlib.backend_features_beyond_gateway(gateway, backend, tables), [])

    def test_a_feature_or_default_features_beyond_the_gateway_are_named(self):
        gateway = {"dependencies": {"tokio": {"version": "1", "features": ["rt-multi-thread", "net"]},
                                    "rustls": {"version": "0.23", "default-features": False}, "http": "1"}}
        backend = {"dependencies": {"tokio": {"version": "1", "features": ["rt", "fs"]}, "rustls": "0.23",
                                    "http": {"version": "1"}, "only-here": {"version": "1", "features": ["x"]}}}
        tables = {"tokio": {"rt-multi-thread": {"rt"}, "fs": set(), "rt": set(), "net": {"dep:libc"}}}
        self.assertEqual(benchlib.backend_features_beyond_gateway(gateway, backend, tables),
                         ["rustls/default", "tokio/fs"])


class CallgrindTotals(unittest.TestCase):
    def test_instructions_alone(self):
        self.assertEqual(callgrind.totals("version: 1\nevents: Ir\nfn=main\n1 5\ntotals: 1234\n"), {"Ir": 1234})

    def test_with_the_cache_simulation(self):
        text = "events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\nsummary: 100 40 30 5 7 9 0 1 2\n"
        got = callgrind.totals(text)
        self.assertEqual((got["Ir"], got["D1mr"], got["D1mw"]), (100, 7, 9))

    def test_trailing_zero_counts_may_be_left_out(self):
        text = "events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\nsummary: 100 40 30 5 7\n"
        got = callgrind.totals(text)
        self.assertEqual((got["Ir"], got["D1mr"], got["D1mw"], got["DLmw"]), (100, 7, 0, 0))

    def test_a_file_without_totals_is_an_error(self):
        for text in ["events: Ir D1mr\n", "events: Ir\nsummary:\n", "summary: 100\n",
                     "events: Ir\nsummary: 100 5\n"]:
            with self.subTest(text=text), self.assertRaises(RuntimeError):
                callgrind.totals(text)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    peers = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).peers.append(self.client_address[1])
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def peers_of(count, **options):
    """callgrind.send's `count` requests to a loopback keep-alive server: the statuses, and the
    client port each request came from, in order."""
    _Handler.peers = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        statuses = callgrind.send(server.server_address[1], "/planets", [None] * count, **options)
    finally:
        server.shutdown()
        server.server_close()
    return statuses, _Handler.peers


class CallgrindSend(unittest.TestCase):
    """`--connections N`: the requests go one after another, round-robin over N keep-alive
    connections, each request on the connection the N-th before it used."""

    def test_round_robin_over_keep_alive_connections(self):
        statuses, peers = peers_of(9, connections=3)
        self.assertEqual(statuses, {200: 9})
        self.assertEqual(len(set(peers)), 3)
        self.assertEqual(peers[3:], peers[:-3])

    def test_one_connection_by_default(self):
        _, peers = peers_of(4)
        self.assertEqual(len(set(peers)), 1)


if __name__ == "__main__":
    unittest.main()
