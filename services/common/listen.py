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


def bind_all(
    make: Callable[[str], socketserver.BaseServer], variable: str = "LISTEN"
) -> list[socketserver.BaseServer]:
    """One server per address of variable, made (and bound) by make, in the caller's thread."""
    return [make(address) for address in listen_addresses(variable)]


def serve_all(
    make: Callable[[str], socketserver.BaseServer], variable: str = "LISTEN", block: bool = True
) -> None:
    """Bind one server per address of variable, then serve each in a thread (blocking on the first
    when block): a name that does not resolve stops the caller, not a thread."""
    servers = bind_all(make, variable)
    for server in servers[0 if not block else 1 :]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    if block:
        servers[0].serve_forever()
