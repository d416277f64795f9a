"""The base image every service image builds FROM, made without any registry."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from drill.errors import ToolchainError
from drill.paths import StatePaths
from drill.process import is_installed, run_command
from drill.toolchain.debian import debian_mirror, install_debian_packages
from infra.images import BASE_IMAGE, image_id

LOCAL_DEBIAN = "debian:bookworm-slim"


def describe_base_image() -> str | None:
    """Describe the base image when the engine has it."""
    found = image_id(BASE_IMAGE)
    return f"{BASE_IMAGE} {found[:19]}" if found else None


def make_base_image(paths: StatePaths) -> str:
    """Tag a local debian:bookworm-slim as the base, or debootstrap one and import it.

    Raises ToolchainError when debootstrap or the import fails.
    """
    if image_id(LOCAL_DEBIAN):
        run_command(["docker", "tag", LOCAL_DEBIAN, BASE_IMAGE], fix="check the Docker engine")
        return f"{BASE_IMAGE} tagged from local {LOCAL_DEBIAN}"
    if not is_installed("debootstrap"):
        install_debian_packages(["debootstrap"])
    mirror = debian_mirror()
    root = paths.build / "base-rootfs"
    shutil.rmtree(root, ignore_errors=True)
    try:
        run_command(
            ["debootstrap", "--variant=minbase", "--include=ca-certificates", "bookworm", str(root), mirror],
            timeout=1800,
            fix=f"check that {mirror} is reachable, or set HOSPITAL_DRP_DEBIAN_MIRROR",
        )
        _import_rootfs(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return f"{BASE_IMAGE} from debootstrap of bookworm (the apt mirror of this machine)"


def _import_rootfs(root: Path) -> None:
    tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
    assert tar.stdout is not None
    done = subprocess.run(
        ["docker", "import", "--change", 'CMD ["/bin/bash"]', "-", BASE_IMAGE],
        stdin=tar.stdout,
        capture_output=True,
        timeout=600,
        check=False,
    )
    tar.stdout.close()
    if tar.wait() != 0 or done.returncode != 0:
        raise ToolchainError(
            f"importing {root} as {BASE_IMAGE} failed: {done.stderr.decode().strip()}",
            "check the Docker engine and the free disk space",
        )
