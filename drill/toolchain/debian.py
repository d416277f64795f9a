"""Installing Debian packages, the one way our machines get system software."""

from __future__ import annotations

import logging
import os

from drill.errors import ToolchainError
from drill.process import run_command

log = logging.getLogger(__name__)

_APT_ENV = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}


def install_debian_packages(packages: list[str]) -> None:
    """Install packages with apt-get, refreshing the package lists first.

    Raises ToolchainError when not root or when apt-get fails.
    """
    if os.geteuid() != 0:
        raise ToolchainError(
            f"installing {', '.join(packages)} needs root",
            f"run `sudo apt-get install -y {' '.join(packages)}` and try again",
        )
    fix = "check that Debian's package mirror is reachable (see /etc/apt/sources.list.d)"
    log.info("apt-get install %s", " ".join(packages))
    run_command(["apt-get", "update"], fix=fix, env=_APT_ENV, timeout=600)
    run_command(
        ["apt-get", "install", "-y", "--no-install-recommends", *packages],
        fix=fix,
        env=_APT_ENV,
        timeout=1200,
    )


def debian_mirror() -> str:
    """Return the Debian mirror this machine's apt uses.

    HOSPITAL_DRP_DEBIAN_MIRROR overrides it for sites with an internal mirror.
    """
    override = os.environ.get("HOSPITAL_DRP_DEBIAN_MIRROR")
    if override:
        return override
    for path in ("/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"):
        mirror = _mirror_in(path)
        if mirror:
            return mirror
    raise ToolchainError(
        "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list",
        "set HOSPITAL_DRP_DEBIAN_MIRROR to your Debian mirror's URL",
    )


def _mirror_in(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    for line in lines:
        words = line.split()
        if not words or words[0] not in ("URIs:", "deb"):
            continue
        for word in words[1:]:
            if word.startswith(("http://", "https://", "file:/")) and "security" not in word:
                return word
    return None
