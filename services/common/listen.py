"""Where a service listens: on the names its deployment gives it, and on 127.0.0.1.

The deployment (infra/listen.py) names, in an environment variable, the
container's address on each network whose flows the service serves (Docker's
DNS resolves each name to that one address): the service binds to those and
to 127.0.0.1 (its health check), so it answers on no other network the
container is on. Unset (a unit test, a container of our own): every address.
A name that does not resolve yet is asked again for a few seconds, then the
service stops, naming it: Docker restarts it.
"""

from __future__ import annotations

import os
import socket
import socketserver
import threading
import time
from collections.abc import Callable

LOOPBACK = "127.0.0.1"
RESOLVE_S = 15.0


def listen_addresses(variable: str = "LISTEN") -> list[str]:
    """The addresses to bind to: 127.0.0.1 and each name in variable, resolved; all when unset."""
    names = os.environ.get(variable, "").split()
    if not names:
        return ["0.0.0.0"]  # noqa: S104 - no names given: the whole container is the service's
    return list(dict.fromkeys([LOOPBACK, *(resolve(name) for name in names)]))


def resolve(name: str, within_s: float | None = None) -> str:
    """The IPv4 address of name, asked again until within_s (RESOLVE_S) have passed."""
    deadline = time.monotonic() + (RESOLVE_S if within_s is None else within_s)
    while True:
        try:
            return socket.gethostbyname(name)
        except OSError as exc:
            if time.monotonic() >= deadline:
                raise SystemExit(f"cannot resolve {name}, the name to listen on: {exc}") from exc
            time.sleep(0.2)


def serve_all(
    make: Callable[[str], socketserver.BaseServer], variable: str = "LISTEN", block: bool = True
) -> None:
    """Bind one server per address of variable (make builds it) in the caller's thread, so that a
    name that does not resolve stops the caller, not a thread; serve each in a thread of its own,
    or the first in the caller's when block."""
    servers = [make(address) for address in listen_addresses(variable)]
    first = servers.pop(0) if block else None
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    if first is not None:
        first.serve_forever()
