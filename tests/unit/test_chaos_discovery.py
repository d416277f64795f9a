"""Discovery comes from one table, labels each activity right, and every fault has its removal."""

from __future__ import annotations

import importlib
import inspect

from drill.chaos import ACTIVITY_MODULES, discover

REMOVALS = {
    "kill_storage": "restart_storage",
    "cut_san": "mend_san",
    "throttle_san": "unthrottle_san",
    "freeze_storage": "thaw_storage",
    "power_off_room": "power_on_room",
    "stop_vault": "start_vault",
    "cut_host": "return_host",
    "stop_host": "return_host",  # a host comes back the one way, whichever way it went
}


def test_every_exported_function_is_discovered_with_its_module_kind() -> None:
    found = {(a["mod"], a["name"]): a["type"] for a in discover()["activities"]}
    expected = {
        (module, name): kind
        for module, kind in ACTIVITY_MODULES.items()
        for name in importlib.import_module(module).__all__
    }
    assert found == expected


def test_every_fault_is_paired_with_its_removal_in_the_same_module() -> None:
    actions = {a["name"]: a["mod"] for a in discover()["activities"] if a["type"] == "action"}
    assert set(actions) == set(REMOVALS) | set(REMOVALS.values()) | {"run_recovery_plan"}
    for fault, removal in REMOVALS.items():
        assert actions[fault] == actions[removal]


def test_activities_take_primitive_arguments_and_are_documented() -> None:
    for module in ACTIVITY_MODULES:
        mod = importlib.import_module(module)
        for name in mod.__all__:
            function = getattr(mod, name)
            assert inspect.getdoc(function), f"{module}.{name} has no docstring"
            for parameter in inspect.signature(function).parameters.values():
                assert parameter.annotation in ("str", "int", "float", "bool"), (
                    f"{module}.{name}({parameter.name})"
                )
