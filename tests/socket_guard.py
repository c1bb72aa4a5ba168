"""The test suite's network guard: no test may open a connection it did not ask for.

Python's audit hooks see every connect, name lookup and datagram made through Python's socket
module, by our code or by a library (huggingface_hub, httpx, urllib). A hook cannot be removed
once added, so one is installed when the test suite is imported and `GUARD` switches it on and
off around each test (tests/conftest.py). While it is on, such a call raises — the caller sees
what it would see on a machine without a network — and is recorded, and the test fails.

Tests marked `loopback` (the download tests talking to tests/hub_server.py on 127.0.0.1) may
reach loopback addresses and local (AF_UNIX) sockets; anything else still fails them.

Only Python-level calls are seen: llama.cpp and Qt make none (C code), which the end-to-end
run in a network namespace (tests/test_privacy.py) covers instead.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import sys
import threading
import traceback
from dataclasses import dataclass, field

#: Audit events that reach (or look up) another machine. Binding and accepting are not here:
#: a server on 127.0.0.1 listening is not a leak; connecting to it is what is checked.
WATCHED_EVENTS = frozenset({
    "socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
    "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo",
})
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class NetworkBlocked(ConnectionRefusedError):
    """Raised inside the code under test in place of a network call."""


@dataclass
class Guard:
    active: bool = False
    allow_loopback: bool = False
    violations: list[str] = field(default_factory=list)
    #: (event, target) of every call let through (loopback in a `loopback` test), in order.
    allowed: list[tuple[str, object]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self, *, allow_loopback: bool) -> None:
        with self._lock:
            self.violations.clear()
            self.allowed.clear()
            self.allow_loopback = allow_loopback
            self.active = True

    def stop(self) -> list[str]:
        """Switch the guard off; returns (and forgets) what it refused meanwhile."""
        with self._lock:
            self.active = False
            found, self.violations = self.violations, []
        return found

    def take_violations(self) -> list[str]:
        """For the guard's own tests: what was refused so far, forgotten so the test passes."""
        with self._lock:
            found, self.violations = self.violations, []
        return found

    def _refuse(self, event: str, target: object) -> None:
        where = "".join(traceback.format_list(traceback.extract_stack()[-9:-2]))
        with self._lock:
            self.violations.append(f"{event} to {target!r} (thread {threading.current_thread().name})\n{where}")


GUARD = Guard()


def _host_is_local(host: object) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port): the local machine's own addresses, no lookup
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].lower()
    if name in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _address_is_local(address: object) -> bool:
    if isinstance(address, (str, bytes)):
        return True  # an AF_UNIX path: a socket on this machine
    if isinstance(address, tuple) and address:
        return _host_is_local(address[0])
    return False


def _target(event: str, args: tuple) -> tuple[object, bool]:
    """What the event reaches, and whether that is this machine."""
    if event in ("socket.connect", "socket.sendto"):
        return args[1], _address_is_local(args[1])
    if event == "socket.sendmsg":
        address = args[1] if len(args) > 1 else None
        return address, address is None or _address_is_local(address)  # None: a connected socket
    if event == "socket.getnameinfo":
        return args[0], _address_is_local(args[0])
    return args[0], _host_is_local(args[0])


def _hook(event: str, args: tuple) -> None:
    if not GUARD.active or event not in WATCHED_EVENTS:
        return
    target, local = _target(event, args)
    if local and GUARD.allow_loopback:
        GUARD.allowed.append((event, target))
        return
    GUARD._refuse(event, target)
    message = f"the test suite's network guard refused {event} to {target!r}"
    if event.startswith("socket.get"):
        raise socket.gaierror(socket.EAI_NONAME, message)
    raise NetworkBlocked(errno.ECONNREFUSED, message)


_installed = False


def install() -> None:
    """Add the audit hook once per process (hooks cannot be removed; GUARD switches it)."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
