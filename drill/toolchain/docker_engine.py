"""The Docker engine: found running, or installed from Debian and started."""

from __future__ import annotations

import logging
import subprocess
import time

from drill.errors import EngineError
from drill.paths import StatePaths
from drill.process import is_installed
from drill.toolchain.debian import install_debian_packages

log = logging.getLogger(__name__)

START_TIMEOUT_S = 60.0


def engine_version() -> str | None:
    """Return the running engine's version, or None when no engine answers."""
    try:
        done = subprocess.run(
            ["docker", "version", "--format", "{{.Server.Version}}"],
            capture_output=True,
            timeout=15,
            check=False,
        )
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return None
    version = done.stdout.decode().strip()
    return version if done.returncode == 0 and version else None


def ensure_docker_engine(paths: StatePaths) -> str:
    """Install Debian's docker.io when dockerd is missing, start it, wait for it.

    Returns the engine's version. Raises EngineError naming the log when the
    engine does not answer within START_TIMEOUT_S.
    """
    if not is_installed("dockerd"):
        install_debian_packages(["docker.io", "iptables"])
    if not is_installed("docker"):
        raise EngineError(
            "the docker client is not on PATH",
            "install Debian's docker.io package: apt-get install -y docker.io",
        )
    paths.logs.mkdir(parents=True, exist_ok=True)
    log_path = paths.logs / "dockerd.log"
    with open(log_path, "ab") as log_file:
        subprocess.Popen(
            ["dockerd"],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        version = engine_version()
        if version:
            return f"dockerd {version} started, log {log_path}"
        time.sleep(0.5)
    raise EngineError(
        f"dockerd did not answer within {START_TIMEOUT_S:.0f} s",
        f"read {log_path}; another dockerd may hold /var/run/docker.pid",
    )
