"""Named volumes: where a container's data lives, labelled like the container that uses it."""

from __future__ import annotations

import pulumi
import pulumi_docker as docker

from infra.labels import Placement, volume_labels


def data_volume(what: str, prefix: str, placement: Placement, opts: pulumi.ResourceOptions) -> docker.Volume:
    """The volume `<prefix>-<what>-<room>` (resource `<what>-<room>`), in placement's room."""
    return docker.Volume(
        f"{what}-{placement.room}",
        name=f"{prefix}-{what}-{placement.room}",
        labels=volume_labels(placement),
        opts=opts,
    )
