"""The pulumi-docker resource provider plugin, built from Go modules and installed
into the project's PULUMI_HOME at exactly the pinned SDK's version."""

from __future__ import annotations

import os
import subprocess
import tarfile
from pathlib import Path

from drill.errors import ToolchainError
from drill.paths import PROJECT_ROOT, StatePaths
from drill.process import is_installed, run_command
from drill.toolchain.build_cache import Built, build_once, recipe_key
from drill.toolchain.pulumi_cli import find_pulumi_cli
from drill.toolchain.pulumi_env import pulumi_env
from drill.toolchain.versions import docker_plugin_version

BUILD_SCRIPT = PROJECT_ROOT / "toolchain" / "docker-provider" / "build.sh"


def plugin_dir(paths: StatePaths) -> Path:
    """Where the engine looks for the docker plugin of the pinned version."""
    return paths.pulumi_home / "plugins" / f"resource-docker-v{docker_plugin_version()}"


def describe_docker_plugin(paths: StatePaths) -> str | None:
    """Describe the installed plugin when it runs and reports the pinned version."""
    binary = plugin_dir(paths) / "pulumi-resource-docker"
    if not binary.exists():
        return None
    try:
        done = subprocess.run([str(binary), "-version"], capture_output=True, timeout=30, check=False)
    except OSError:
        return None
    reported = done.stdout.decode().strip()
    if reported != docker_plugin_version():
        return None
    return f"resource docker v{reported} in {plugin_dir(paths)}"


def build_docker_plugin(paths: StatePaths) -> str:
    """Build the plugin with toolchain/docker-provider/build.sh and install it.

    Raises ToolchainError when Go or the Pulumi CLI is missing or a step fails.
    """
    if not is_installed("go"):
        raise ToolchainError("Go is not installed", "install Go 1.26 or newer and put `go` on PATH")
    cli = find_pulumi_cli(paths)
    if cli is None:
        raise ToolchainError("the Pulumi CLI is missing", "run `make bootstrap` to build it first")
    version = docker_plugin_version()
    tarball, built = _tarball(paths, version)
    run_command(
        [str(cli), "plugin", "install", "resource", "docker", version, "--file", str(tarball), "--reinstall"],
        env={**os.environ, **pulumi_env(paths)},
        timeout=300,
        fix=f"install it by hand: {cli} plugin install resource docker {version} --file {tarball}",
    )
    found = describe_docker_plugin(paths)
    if found is None:
        raise ToolchainError(
            f"the installed docker plugin in {plugin_dir(paths)} does not report v{version}",
            "delete that folder and run `make bootstrap` again",
        )
    return built.said(found)


def _tarball(paths: StatePaths, version: str) -> tuple[Path, Built]:
    """The plugin's release tarball, built by build.sh unless the build cache holds it."""
    work = paths.build / "docker-provider"
    tarball = work / f"pulumi-resource-docker-v{version}.tar.gz"

    def build() -> None:
        run_command(
            ["bash", str(BUILD_SCRIPT), version, str(work)],
            timeout=3600,
            fix=f"check that the Go module proxy is reachable; the build runs in {work}",
        )

    built = build_once(
        "pulumi-resource-docker",
        recipe_key([BUILD_SCRIPT.parent], version),
        tarball,
        build,
        lambda: str(tarball) if tarfile.is_tarfile(tarball) else None,
    )
    return tarball, built
