"""Secrets handed to containers at deploy, as files, never as image layers or env."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_docker as docker

SECRETS_DIR = "/run/secrets"


def pick(secrets: Mapping[str, pulumi.Output[str]], *names: str) -> dict[str, pulumi.Output[str]]:
    """Only the secrets a container needs."""
    return {name: secrets[name] for name in names}


def secret_uploads(secrets: Mapping[str, pulumi.Output[str]]) -> list[docker.ContainerUploadArgs]:
    """One file per secret in /run/secrets, root's only (mode 0400).

    The image's entry point (services/common/drop-to.sh) hands them to the
    service user before it drops root: Docker 20.10 would resolve an upload
    owner against the host's user database, not the container's.
    """
    return [
        docker.ContainerUploadArgs(file=f"{SECRETS_DIR}/{name}", content=value, permissions="0400")
        for name, value in sorted(secrets.items())
    ]
