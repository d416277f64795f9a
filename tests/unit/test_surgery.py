"""Taking a lost host out of the state: its room, its provider and what it made go; what depended on
them forgets them; the swarm's provider is re-pointed; nothing else changes."""

from __future__ import annotations

import copy
from typing import Any

from drill.recovery.surgery import taken_out

STACK = "urn:pulumi:swarm::hospital-drp::"


def urn(kind: str, name: str) -> str:
    return f"{STACK}{kind}::{name}"


ROOM1 = urn("hospital:infra:MachineRoom", "nord-1")
ROOM2 = urn("hospital:infra:MachineRoom", "nord-2")
ENGINE1 = urn("hospital:infra:MachineRoom$pulumi:providers:docker", "nord-1-engine")
ENGINE2 = urn("hospital:infra:MachineRoom$pulumi:providers:docker", "nord-2-engine")
SWARM = urn("hospital:infra:Swarm", "swarm")
SWARM_ENGINE = urn("hospital:infra:Swarm$pulumi:providers:docker", "swarm-engine")
ARRAY = urn("hospital:storage:StorageArray", "storage-nord-1")
ARRAY_BOX = urn("hospital:storage:StorageArray$docker:index/container:Container", "postgres-nord-1")
SAN1 = urn("hospital:infra:MachineRoom$docker:index/network:Network", "nord-1-san")
OVERLAY = urn("hospital:infra:Swarm$docker:index/network:Network", "backup-link")
VAULT = urn("hospital:services:BackupVault$docker:index/container:Container", "vault-bellevue")
SAN2 = urn("hospital:infra:MachineRoom$docker:index/network:Network", "nord-2-san")
HOST1, HOST2 = (
    "unix:///run/hdrp-hosts/hdrp-host-1/docker.sock",
    "unix:///run/hdrp-hosts/hdrp-host-2/docker.sock",
)


def resource(
    u: str, provider: str = "", parent: str = "", deps: tuple[str, ...] = (), **more: object
) -> dict[str, Any]:
    found: dict[str, Any] = {"urn": u, "type": u.split("::")[2].rsplit("$", 1)[-1], **more}
    if provider:
        found["provider"] = f"{provider}::an-id"
    if parent:
        found["parent"] = parent
    if deps:
        found["dependencies"] = list(deps)
        found["propertyDependencies"] = {"networksAdvanced": list(deps)}
    return found


DEPLOYMENT: dict[str, Any] = {
    "manifest": {"time": "now"},
    "resources": [
        resource(urn("pulumi:pulumi:Stack", "hospital-drp-swarm")),
        resource(ROOM1),
        resource(ENGINE1, parent=ROOM1, inputs={"host": HOST1}, outputs={"host": HOST1}),
        resource(SAN1, provider=ENGINE1, parent=ROOM1),
        resource(ROOM2),
        resource(ENGINE2, parent=ROOM2, inputs={"host": HOST2}, outputs={"host": HOST2}),
        resource(SAN2, provider=ENGINE2, parent=ROOM2),
        resource(SWARM),
        resource(SWARM_ENGINE, parent=SWARM, inputs={"host": HOST1}, outputs={"host": HOST1, "version": "5"}),
        resource(OVERLAY, provider=SWARM_ENGINE, parent=SWARM),
        resource(ARRAY),
        resource(ARRAY_BOX, provider=ENGINE1, parent=ARRAY, deps=(SAN1, OVERLAY)),
        resource(VAULT, provider=ENGINE2, deps=(ARRAY_BOX, OVERLAY), deletedWith=ARRAY_BOX),
    ],
}


def test_the_lost_room_and_all_its_provider_made_are_taken_out_and_forgotten() -> None:
    before = copy.deepcopy(DEPLOYMENT)
    state, gone = taken_out(DEPLOYMENT, ["nord-1"], HOST2)
    assert before == DEPLOYMENT  # the given deployment is not changed
    assert gone == [ROOM1, ENGINE1, SAN1, ARRAY_BOX]
    kept = {r["urn"]: r for r in state["resources"]}
    assert ARRAY in kept  # a component with no provider: the next deploy deletes it, asking no engine
    assert {ROOM2, ENGINE2, SAN2, SWARM, OVERLAY, VAULT} <= set(kept)
    vault = kept[VAULT]
    assert vault["dependencies"] == [OVERLAY] and vault["propertyDependencies"] == {
        "networksAdvanced": [OVERLAY]
    }
    assert "deletedWith" not in vault
    assert state["manifest"] == DEPLOYMENT["manifest"]


def test_the_swarm_provider_is_re_pointed_at_a_standing_manager_and_the_overlays_kept() -> None:
    state, _ = taken_out(DEPLOYMENT, ["nord-1"], HOST2)
    kept = {r["urn"]: r for r in state["resources"]}
    assert kept[SWARM_ENGINE]["inputs"]["host"] == HOST2
    assert kept[SWARM_ENGINE]["outputs"] == {"host": HOST2, "version": "5"}
    assert kept[ENGINE2]["inputs"]["host"] == HOST2  # the other rooms' own providers untouched
    assert kept[OVERLAY] == next(r for r in DEPLOYMENT["resources"] if r["urn"] == OVERLAY)


def test_no_room_lost_changes_nothing_but_the_swarm_host() -> None:
    state, gone = taken_out(DEPLOYMENT, [], HOST1)
    assert gone == [] and state == DEPLOYMENT
    lost_other, gone = taken_out(DEPLOYMENT, ["bellevue"], HOST1)
    assert gone == [] and lost_other == DEPLOYMENT  # a room with nothing in the state
