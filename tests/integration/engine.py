"""Small helpers over the local Docker engine for the integration tests."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import docker

LOCAL = "unix:///var/run/docker.sock"


def client() -> docker.DockerClient:
    return docker.DockerClient(base_url=LOCAL)


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


def http(method: str, url: str, body: object | None = None, timeout: float = 5) -> tuple[int, object, float]:
    """Send one request; return (status, parsed JSON body, seconds it took)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read()), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null"), time.monotonic() - started
