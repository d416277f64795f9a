"""Docker hosts: the local engine, the forms a room's or the platform's host may take, a client of each."""

from __future__ import annotations

import functools
import re

import docker

from infra.errors import ConfigError

# The engine of this machine: where every room and the biology platform run unless told otherwise.
LOCAL_ENGINE = "unix:///var/run/docker.sock"
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
