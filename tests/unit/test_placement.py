"""Where the recovery plan places what a lost domain held: the rule, its reasons and its refusals.

The topology is the planned gameday stack's, from the program under mocks,
with each room's `takes` varied.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from drill.errors import RecoveryError
from drill.recovery.placement import current_layout, place
from drill.workspace import check_stack_config
from infra.declared import declare
from infra.topology import Topology
from tests.unit.test_program import IMAGES, SECRETS

ALL = ("storage", "app", "edge", "backup")
PLANNED = declare(check_stack_config("gameday"), IMAGES, SECRETS).topology


def taking(**takes: tuple[str, ...]) -> Topology:
    """The planned topology with some rooms taking less (room names with _ for -)."""
    rooms = tuple(
        replace(room, takes=takes.get(room.name.replace("-", "_"), room.takes)) for room in PLANNED.rooms
    )
    return replace(PLANNED, rooms=rooms)


def test_the_planned_layout_is_read_from_the_topology() -> None:
    layout = current_layout(PLANNED)
    assert (layout.storage, layout.vault, layout.appointments, layout.lab, layout.mail) == (
        "nord-1",
        "bellevue",
        "nord-1",
        "nord-1",
        "nord-1",
    )
    assert layout.replicas == ("nord-2", "bellevue") and layout.balancers == ("nord-2", "bellevue")


def test_lost_storage_goes_to_a_room_other_than_the_vaults_and_the_apps_stay() -> None:
    placing = place(PLANNED, set(), {"nord-1"})
    assert placing.layout.storage == "nord-2" and placing.layout.appointments == "nord-1"
    [move] = placing.moves
    assert "not the vault's room (bellevue)" in move.why and placing.warnings == ()


def test_a_lost_room_moves_everything_it_held_beside_the_new_storage() -> None:
    placing = place(PLANNED, {"nord-1"}, {"nord-1"})
    layout = placing.layout
    assert (layout.storage, layout.appointments, layout.lab, layout.mail) == ("nord-2",) * 4
    assert layout.vault == "bellevue" and layout.replicas == ("nord-2", "bellevue")
    assert {m.part for m in placing.moves} == {"storage", "appointments", "lab", "mail"}
    assert all("beside the storage" in m.why for m in placing.moves if m.part != "storage")


@pytest.mark.parametrize("lost", ["nord-2", "bellevue"])
def test_the_intranet_keeps_one_replica_and_one_balancer_per_room(lost: str) -> None:
    layout = place(PLANNED, {lost}, set()).layout
    for rooms in (layout.replicas, layout.balancers):
        assert lost not in rooms and len(set(rooms)) == len(rooms) == 2
    assert layout.storage == "nord-1"  # storage that was not lost does not move


def test_the_lost_vault_goes_where_the_storage_is_not() -> None:
    assert place(PLANNED, {"bellevue"}, set()).layout.vault == "nord-2"


def test_storage_only_the_vaults_room_can_take_goes_there_and_says_the_data_is_in_one_room() -> None:
    placing = place(taking(nord_2=("app", "edge")), {"nord-1"}, {"nord-1"})
    assert placing.layout.storage == "bellevue"
    assert placing.moves[0].why.startswith("the only surviving room that takes storage")
    assert placing.warnings and "one room holds the data" in placing.warnings[0]
    assert placing.layout.appointments == "bellevue"


def test_no_room_for_the_storage_is_refused_naming_why_each_room_cannot() -> None:
    with pytest.raises(RecoveryError) as refused:
        place(taking(nord_2=("app",), bellevue=("backup", "app", "edge")), {"nord-1"}, {"nord-1"})
    text = str(refused.value)
    assert "no surviving room can take the storage" in text
    assert (
        "nord-1 is lost" in text
        and "nord-2 does not take storage" in text
        and "bellevue does not take storage" in text
    )
    assert "`takes`" in text


def test_no_room_for_a_replica_is_refused_naming_it() -> None:
    with pytest.raises(RecoveryError, match=r"intranet replica 1: .*holds another intranet replica"):
        place(taking(nord_1=("storage",)), {"nord-2"}, set())


def test_the_rule_never_places_anything_in_a_lost_room_whatever_is_lost() -> None:
    rooms = [room.name for room in PLANNED.machine_rooms()]
    for lost in rooms:
        placing = place(PLANNED, {lost}, {lost} if lost == "nord-1" else set())
        assert lost not in placing.layout.rooms_in_use(), lost
