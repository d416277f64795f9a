"""The HAProxy configuration in front of the intranet replicas."""

from __future__ import annotations

from dataclasses import dataclass

LISTEN_PORT = 8080
HEALTH_URI = "/lb-health"


@dataclass(frozen=True)
class Backend:
    """One replica HAProxy balances to."""

    name: str
    host: str
    port: int


def binds(port: int, listen: str) -> str:
    """The bind lines of a frontend: on each name of listen (space-separated: the users' networks;
    all when empty) and 127.0.0.1."""
    if not listen:
        return f"bind :{port}"
    return "\n    ".join(f"bind {name}:{port}" for name in (*listen.split(), "127.0.0.1"))


def render_haproxy_config(backends: list[Backend], listen: str = "") -> str:
    """Render haproxy.cfg: fast health checks, retries on another replica, redispatch.

    Losing one replica must cost zero failed requests: a request that fails
    on a dead replica is retried on the other one (retry-on + redispatch),
    and the dead one leaves the pool after two failed checks 300 ms apart.
    Names resolve through Docker's DNS, so a replica may be re-created.
    HEALTH_URI answers 200 while at least one replica is up, 503 otherwise.
    Longer than 40 lines because it is mostly the template, kept whole so
    that it reads as the haproxy.cfg the balancer gets.
    """
    if not backends:
        raise ValueError("the intranet balancer needs at least one backend")
    servers = "\n".join(
        f"    server {b.name} {b.host}:{b.port} check resolvers docker init-addr last,libc,none"
        for b in backends
    )
    return f"""global
    log stdout format raw local0 info
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 500ms
    timeout client 30s
    timeout server 10s
    timeout check 500ms
    retries 3
    option redispatch 1
    retry-on all-retryable-errors
    default-server inter 300ms fastinter 200ms downinter 1s fall 2 rise 2

resolvers docker
    nameserver dns 127.0.0.11:53
    hold valid 1s
    hold nx 1s

frontend intranet
    {binds(LISTEN_PORT, listen)}
    monitor-uri {HEALTH_URI}
    monitor fail if {{ nbsrv(replicas) lt 1 }}
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk GET /health
    http-check expect status 200
{servers}
"""


def _tcp_binds(port: int, listen: str) -> str:
    """The bind lines of a relay: on each name of listen (space-separated), or all addresses."""
    return "\n    ".join(f"bind {name}:{port}" for name in listen.split()) or f"bind :{port}"


def render_tcp_proxy_config(name: str, listen_port: int, backend: Backend, listen: str = "") -> str:
    """Render haproxy.cfg for a plain TCP relay (IMAP) to one backend.

    The HTTP monitor on LISTEN_PORT answers 200 as long as HAProxy runs, so
    the container's health check stays the same as the balancer's; whether
    the backend answers is the backend's own health. With listen, the relay
    binds to that name only and the monitor to 127.0.0.1 only.
    """
    return f"""global
    log stdout format raw local0 info
    maxconn 4096

defaults
    log global
    timeout connect 2s
    timeout client 5m
    timeout server 5m

frontend monitor
    mode http
    bind {"127.0.0.1" if listen else ""}:{LISTEN_PORT}
    monitor-uri {HEALTH_URI}

frontend {name}
    mode tcp
    {_tcp_binds(listen_port, listen)}
    default_backend {name}_store

backend {name}_store
    mode tcp
    server {backend.name} {backend.host}:{backend.port} check resolvers docker init-addr last,libc,none

resolvers docker
    nameserver dns 127.0.0.11:53
    hold valid 1s
    hold nx 1s
"""
