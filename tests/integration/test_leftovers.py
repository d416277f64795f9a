"""What a crashed run leaves behind is found and removed by its stack label."""

from __future__ import annotations

from drill.leftovers import find_leftovers, remove_leftovers
from infra.docker_hosts import LOCAL_ENGINE
from infra.images import BASE_IMAGE
from tests.integration.engine import client

STACK = "leftover-check"


def test_labelled_container_network_and_volume_are_found_then_removed() -> None:
    labels = {"hospital.stack": STACK}
    docker_client = client()
    network = docker_client.networks.create(f"hdrp-{STACK}-net", labels=labels, internal=True)
    volume = docker_client.volumes.create(f"hdrp-{STACK}-vol", labels=labels)
    docker_client.containers.create(
        BASE_IMAGE,
        ["sleep", "60"],
        name=f"hdrp-{STACK}-c",
        labels=labels,
        network=network.name,
        volumes={volume.name: {"bind": "/data", "mode": "rw"}},
    )
    try:
        assert sorted(find_leftovers(STACK, {LOCAL_ENGINE})) == [
            f"container hdrp-{STACK}-c",
            f"network hdrp-{STACK}-net",
            f"volume hdrp-{STACK}-vol",
        ]
        assert len(remove_leftovers(STACK, {LOCAL_ENGINE})) == 3
        assert find_leftovers(STACK, {LOCAL_ENGINE}) == []
    finally:
        remove_leftovers(STACK, {LOCAL_ENGINE})
