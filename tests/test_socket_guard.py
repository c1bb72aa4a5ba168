"""The test suite's network guard (tests/socket_guard.py) refuses and reports connections.

Every other test relies on it to prove that no byte leaves the machine, so it is tested like
any other code: a refused call must raise in the caller, be recorded, and fail the test, even
when the code under test swallows the error.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.socket_guard import NetworkBlocked

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: TEST-NET-1 (RFC 5737): never routed, so even a guard that failed open would not reach anyone.
UNROUTED = ("192.0.2.1", 80)


def connect(address) -> None:
    """A bare connect, with no name lookup before it (create_connection would look up first)."""
    with socket.socket() as sock:
        sock.settimeout(1)
        sock.connect(address)


@pytest.fixture
def listener():
    """A TCP server on 127.0.0.1 that accepts one connection (binding is allowed)."""
    server = socket.create_server(("127.0.0.1", 0))
    yield server
    server.close()


def test_a_connect_is_refused_and_recorded(network_guard):
    with pytest.raises(NetworkBlocked, match="network guard refused socket.connect"):
        connect(UNROUTED)
    [report] = network_guard.take_violations()
    assert report.startswith("socket.connect to ('192.0.2.1', 80)")
    assert "test_socket_guard.py" in report  # where it came from, for whoever has to fix it


def test_name_lookups_and_datagrams_are_refused(network_guard):
    with pytest.raises(socket.gaierror, match="network guard"):
        socket.getaddrinfo("huggingface.co", 443)
    with pytest.raises(socket.gaierror):
        socket.gethostbyname("example.com")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        with pytest.raises(NetworkBlocked):
            udp.sendto(b"telemetry", ("203.0.113.9", 53))
    refused = network_guard.take_violations()
    assert [line.split(" to ")[0] for line in refused] == [
        "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto"]


def test_even_loopback_is_refused_without_the_marker(network_guard, listener):
    with pytest.raises(NetworkBlocked):
        connect(listener.getsockname())
    assert len(network_guard.take_violations()) == 1


@pytest.mark.loopback
def test_the_loopback_marker_allows_only_loopback(network_guard, listener):
    with socket.create_connection(listener.getsockname(), timeout=2):
        pass
    with socket.create_connection(("localhost", listener.getsockname()[1]), timeout=2):
        pass
    assert network_guard.take_violations() == []
    with pytest.raises(NetworkBlocked):
        connect(UNROUTED)
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("huggingface.co", 443)
    assert len(network_guard.take_violations()) == 2


def test_a_test_that_swallows_the_error_still_fails(tmp_path):
    # The real reporting path, in a separate pytest run using this suite's conftest.
    (tmp_path / "conftest.py").write_text("from tests.conftest import *  # noqa: F401,F403\n")
    (tmp_path / "test_leak.py").write_text(textwrap.dedent("""
        import socket, threading

        def test_quietly_phones_home():
            def ping():
                try:
                    with socket.socket() as sock:
                        sock.connect(("192.0.2.1", 443))
                except OSError:
                    pass  # offline-tolerant code: the guard must report it all the same
            worker = threading.Thread(target=ping, name="updater")
            worker.start()
            worker.join()

        def test_stays_home():
            assert True
    """))
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    env.pop("PYTEST_ADDOPTS", None)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "1 network call(s) refused" in output
    assert "socket.connect to ('192.0.2.1', 443) (thread updater)" in output
    assert "FAILED" not in output and "2 passed, 1 error" in output  # the clean test is unaffected
