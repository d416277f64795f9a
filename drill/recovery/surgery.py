"""Taking a lost host out of the stack's state, so that Pulumi never waits on its dead engine.

Across a swarm a lost room's host does not answer (cut off, or its engine
down). Pulumi would try to delete what stood there through that room's
Provider, and fail or hang. So the plan takes it out of the deployment
first, as `pulumi state delete` would, in one export and one import: the
room's component, its Provider and every resource declared through it.
When the swarm's Provider (the one the overlays are declared through)
named the lost host, it is re-pointed in the state at a manager that
stands: the overlays live on in the swarm's other managers, and the next
deploy finds them unchanged. The program then declares nothing in the
lost room (infra/program.py, standing_rooms) and re-creates what it held
on the survivors. What the host still holds is fenced when it comes back
(drill/chaos/host_loss.py): it is never resumed.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi import automation as auto

from drill.paths import StatePaths
from drill.stack import open_stack

ROOM_TYPE = "hospital:infra:MachineRoom"
PROVIDER_TYPE = "pulumi:providers:docker"
SWARM_PROVIDER = "swarm-engine"


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _type(urn: str) -> str:
    return urn.split("::")[2].rsplit("$", 1)[-1]


def taken_out(
    deployment: Mapping[str, Any], rooms: Iterable[str], swarm_host: str
) -> tuple[dict[str, Any], list[str]]:
    """deployment without the lost rooms' resources, and the swarm's Provider at swarm_host;
    with the URNs taken out (the deployment given is not changed)."""
    state = copy.deepcopy(dict(deployment))
    resources: list[dict[str, Any]] = list(state.get("resources") or [])
    lost = set(rooms)
    gone = {
        r["urn"]
        for r in resources
        if (_type(r["urn"]) == ROOM_TYPE and _name(r["urn"]) in lost)
        or (_type(r["urn"]) == PROVIDER_TYPE and _name(r["urn"]) in {f"{room}-engine" for room in lost})
    }
    while True:  # what their providers made, and every child of what goes
        more = {
            r["urn"]
            for r in resources
            if r["urn"] not in gone
            and (r.get("parent") in gone or str(r.get("provider", "")).rsplit("::", 1)[0] in gone)
        }
        if not more:
            break
        gone |= more
    kept = []
    for resource in resources:
        if resource["urn"] in gone:
            continue
        if "dependencies" in resource:
            resource["dependencies"] = [d for d in resource["dependencies"] or [] if d not in gone]
        if "propertyDependencies" in resource:
            resource["propertyDependencies"] = {
                key: [d for d in deps if d not in gone]
                for key, deps in (resource["propertyDependencies"] or {}).items()
            }
        if resource.get("deletedWith") in gone:
            del resource["deletedWith"]
        if _type(resource["urn"]) == PROVIDER_TYPE and _name(resource["urn"]) == SWARM_PROVIDER:
            for side in ("inputs", "outputs"):
                if isinstance(resource.get(side), dict) and "host" in resource[side]:
                    resource[side]["host"] = swarm_host
        kept.append(resource)
    state["resources"] = kept
    order = [r["urn"] for r in resources if r["urn"] in gone]
    return state, order


def take_out_lost_hosts(paths: StatePaths, stack: str, rooms: Iterable[str], swarm_host: str) -> list[str]:
    """Take the lost rooms out of the stack's state (taken_out); return the URNs taken out."""
    handle = open_stack(paths, stack, None)
    exported = handle.export_stack()
    state, gone = taken_out(exported.deployment or {}, rooms, swarm_host)
    if gone:
        handle.import_stack(auto.Deployment(version=exported.version, deployment=state))
    return gone
