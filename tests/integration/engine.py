"""Small helpers over the local Docker engine for the integration tests."""

from __future__ import annotations

import io
import ssl
import tarfile
import time

import docker
import testinfra.host

from drill.workload import clients
from infra.docker_hosts import LOCAL_ENGINE, docker_client


def client() -> docker.DockerClient:
    return docker_client(LOCAL_ENGINE)


def wait_healthy(name: str, timeout_s: float = 90) -> None:
    """Wait until the container reports healthy; fail the test otherwise."""
    deadline = time.monotonic() + timeout_s
    status = "missing"
    while time.monotonic() < deadline:
        state = client().api.inspect_container(name)["State"]
        status = state.get("Health", {}).get("Status", "none")
        if state.get("Running") and status == "healthy":
            return
        time.sleep(0.5)
    raise AssertionError(f"{name} not healthy after {timeout_s} s (last: {status})")


# The CA of the session's one stack (conftest's `deployed` sets it): what http() checks HTTPS with.
TRUSTED: dict[str, ssl.SSLContext] = {}


def trust(ca_pem: str) -> None:
    """Check every https:// request of http() against this CA (the deployed stack's)."""
    TRUSTED["stack"] = clients.tls_context(ca_pem)


def http(method: str, url: str, body: object | None = None) -> tuple[int, object, float]:
    """Send one request with the workload's client (HTTPS checked against the stack's CA); return
    (status, parsed JSON body, seconds it took)."""
    started = time.monotonic()
    status, answer = clients.http_json(method, url, body, TRUSTED.get("stack"))
    return status, answer, time.monotonic() - started


def servers(host: testinfra.host.Host, module: str) -> list[testinfra.modules.process.Process]:
    """The python3 processes serving `python3 -m module` in a container.

    A health check runs the same module with `--check` beside the server,
    whenever Docker's interval falls: it is not a server and is left out.
    """
    return [
        p
        for p in host.process.filter(comm="python3")
        if module in p.args.split() and "--check" not in p.args.split()
    ]


def listens_only_on(host: testinfra.host.Host, name: str, port: int, networks: list[str]) -> None:
    """Assert the container name listens on port at its address on each of networks, and not on all."""
    attached = client().containers.get(name).attrs["NetworkSettings"]["Networks"]
    for network in networks:
        address = attached[network]["IPAddress"]
        listening = host.socket(f"tcp://{address}:{port}").is_listening
        assert listening, f"{name} not on {network} ({address}:{port})"
    assert not host.socket(f"tcp://0.0.0.0:{port}").is_listening, f"{name} listens on every address at {port}"


def secret_tar(key: str, value: str) -> bytes:
    """A tar of secrets/<key>, as drill uploads a secret (root's, 0400), to unpack under /run."""
    data = (value + "\n").encode()
    info = tarfile.TarInfo(f"secrets/{key}")
    info.size, info.mode = len(data), 0o400
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
