"""The bootstrap, in order: what each step makes and how to tell it is there."""

from __future__ import annotations

from drill.paths import StatePaths
from drill.toolchain.base_image import describe_base_image, make_base_image
from drill.toolchain.docker_engine import engine_version, ensure_docker_engine
from drill.toolchain.docker_plugin import build_docker_plugin, describe_docker_plugin
from drill.toolchain.pulumi_cli import build_pulumi_cli, describe_pulumi_cli
from drill.toolchain.pulumi_env import describe_passphrase, ensure_passphrase
from drill.toolchain.steps import Step
from drill.toolchain.versions import PULUMI_CLI_VERSION, docker_plugin_version


def _engine() -> str | None:
    version = engine_version()
    return f"dockerd {version}" if version else None


def toolchain_steps(paths: StatePaths) -> list[Step]:
    """The bootstrap steps after the virtualenv, each skipped when its product exists."""
    return [
        Step(
            "Docker engine",
            _engine,
            lambda: ensure_docker_engine(paths),
            "make bootstrap (installs docker.io, starts dockerd)",
        ),
        Step(
            f"Pulumi CLI v{PULUMI_CLI_VERSION}",
            lambda: describe_pulumi_cli(paths),
            lambda: build_pulumi_cli(paths),
            "make bootstrap (builds it with Go from toolchain/pulumi-cli)",
        ),
        Step(
            "secrets passphrase",
            lambda: describe_passphrase(paths),
            lambda: ensure_passphrase(paths),
        ),
        Step(
            f"docker provider plugin v{docker_plugin_version()}",
            lambda: describe_docker_plugin(paths),
            lambda: build_docker_plugin(paths),
            "make bootstrap (runs toolchain/docker-provider/build.sh)",
        ),
        Step(
            "base image",
            describe_base_image,
            lambda: make_base_image(paths),
            "make bootstrap (debootstrap + docker import)",
        ),
    ]
