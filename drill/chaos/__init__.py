"""The testbed's Chaos Toolkit extension: faults (actions, each with its removal), probes and tries.

Activities are plain functions with primitive keyword arguments, exported
through each module's `__all__`. Discovery is generated from ACTIVITY_MODULES,
the one table that says whether a module's functions are actions or probes.
"""

from __future__ import annotations

from typing import Any

from chaoslib.discovery import discover_actions, discover_probes, initialize_discovery_result

__version__ = "0.1.0"

# module -> what its exported functions are; a module holds only one kind.
ACTIVITY_MODULES: dict[str, str] = {
    "drill.chaos.storage_kill": "action",
    "drill.chaos.san_cut": "action",
    "drill.chaos.san_throttle": "action",
    "drill.chaos.storage_freeze": "action",
    "drill.chaos.room_loss": "action",
    "drill.chaos.host_loss": "action",
    "drill.chaos.vault_loss": "action",
    "drill.chaos.recovery": "action",
    "drill.chaos.probes": "probe",
    "drill.chaos.tries": "probe",  # probes that write one record of their own (see the module)
    "drill.chaos.latency": "probe",
    "drill.chaos.steady": "probe",
}


def discover(discover_system: bool = True) -> dict[str, Any]:
    """What this extension offers, for `chaos discover drill`."""
    discovery: dict[str, Any] = initialize_discovery_result("hospital-drp", __version__, "docker")
    for module, kind in ACTIVITY_MODULES.items():
        found = discover_actions(module) if kind == "action" else discover_probes(module)
        discovery["activities"].extend(found)
    return discovery
