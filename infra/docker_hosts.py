"""Docker hosts: the local engine, the forms a room's or the platform's host may take, a client of each."""

from __future__ import annotations

import functools
import ipaddress
import re

import docker

from infra.errors import ConfigError

# The engine of this machine: where every room and the biology platform run unless told otherwise.
LOCAL_ENGINE = "unix:///var/run/docker.sock"
# Where ports are published on one engine: this machine only.
LOOPBACK = "127.0.0.1"
_ADDRESS = re.compile(r"^(unix|tcp|ssh)://\S+$")


def ensure_docker_host(address: str, key: str) -> str:
    """Return address, the config value at key, when it is a Docker host address.

    Raises ConfigError naming key and the forms allowed otherwise.
    """
    if not _ADDRESS.match(address):
        raise ConfigError(
            f"{key} {address!r} is not a Docker host address",
            f"use unix://, tcp:// or ssh://, e.g. {LOCAL_ENGINE}",
        )
    return address


@functools.cache
def docker_client(docker_host: str = LOCAL_ENGINE, timeout_s: int = 30) -> docker.DockerClient:
    """The client of docker_host, made once per process (every Docker client of the testbed comes
    from here; a request that waits longer than timeout_s fails)."""
    return docker.DockerClient(base_url=docker_host, timeout=timeout_s)


def ensure_address(value: object, key: str) -> str:
    """Return value, the config value at key, when it is an IPv4 address a host's ports can listen on."""
    try:
        address = ipaddress.IPv4Address(str(value))
    except ipaddress.AddressValueError as exc:
        raise ConfigError(
            f"{key} {value!r} is not an IPv4 address", "set the host's address, e.g. 10.231.0.1"
        ) from exc
    if address.is_loopback or address.is_unspecified or address.is_multicast:
        raise ConfigError(
            f"{key} {value} is not an address other hosts reach",
            "set the address of the room's host on the hospital's network, e.g. 10.231.0.1",
        )
    return str(address)
