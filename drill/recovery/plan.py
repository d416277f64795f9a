"""Loading a recovery plan file into typed, checked specs.

A plan has ordered priority groups; each group has ordered steps; each step
names an action and a verification of drill/recovery/actions.py and verifications.py and a timeout.
A bad file raises PlanError naming the file, the place and the fix, before
anything runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from drill.errors import PlanError
from drill.paths import PROJECT_ROOT

DEFAULT_PLAN = PROJECT_ROOT / "plans" / "storage-recovery.yaml"
MAX_TIMEOUT_S = 1800


@dataclass(frozen=True)
class StepSpec:
    """One step: what it changes (None: it only verifies), how it is verified, how long it may take."""

    name: str
    action: str | None
    verify: str
    timeout_s: float
    about: str


@dataclass(frozen=True)
class GroupSpec:
    """A priority group: its steps run in order, after every earlier group."""

    name: str
    steps: tuple[StepSpec, ...]


@dataclass(frozen=True)
class DamageSpec:
    """How the plan judges damage from where the services stand.

    Storage is lost when no service that depends on it can use it through
    its own path (a query, an LMTP exchange), each try bounded by
    probe_timeout_s, for longer than grace_s; a blip shorter is no disaster.
    """

    grace_s: float = 10.0
    probe_timeout_s: float = 5.0


@dataclass(frozen=True)
class PlanSpec:
    """A whole plan: its priority groups and how it judges damage (where it places what a lost
    domain held is a rule: drill/recovery/placement.py)."""

    name: str
    description: str
    groups: tuple[GroupSpec, ...]
    path: Path
    damage: DamageSpec = DamageSpec()

    def steps(self) -> tuple[tuple[GroupSpec, StepSpec], ...]:
        """Every step with its group, in the order they run."""
        return tuple((group, step) for group in self.groups for step in group.steps)


def load_plan(path: Path, actions: frozenset[str], verifications: frozenset[str]) -> PlanSpec:
    """Read and check the plan file at path against the known action and verification names.

    Raises PlanError naming the file and the place of the first problem.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanError(f"cannot read the plan {path} ({exc})", "give the path of a plan file") from exc
    except yaml.YAMLError as exc:
        raise PlanError(f"the plan {path} is not valid YAML ({exc})", "fix its syntax") from exc
    where = _Where(path)
    if isinstance(raw, Mapping) and "spare_room" in raw:
        raise where.error(
            "`spare_room` is no longer read: the plan places what a lost domain held by rule",
            "remove it; say which tiers each room can take with `takes` in the stack config's rooms",
        )
    top = where.mapping(raw, "the file", {"name", "description", "groups", "damage"})
    groups = tuple(
        _group(where, g, n, actions, verifications) for n, g in enumerate(where.items(top, "groups"), 1)
    )
    names = [step.name for group in groups for step in group.steps]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise where.error(f"step {twice[0]!r} appears twice", "give every step its own name")
    return PlanSpec(
        name=where.text(top, "name", "the file"),
        description=str(top.get("description", "")),
        groups=groups,
        path=path,
        damage=_damage(where, top.get("damage")),
    )


def _damage(where: _Where, raw: object) -> DamageSpec:
    if raw is None:
        return DamageSpec()
    fields = where.mapping(raw, "damage", {"grace_s", "probe_timeout_s"})
    values = {}
    for key, low, high in (("grace_s", 0, 600), ("probe_timeout_s", 0.5, 60)):
        value = fields.get(key, getattr(DamageSpec, key))
        if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
            raise where.error(
                f"damage: {key} {value!r} is not a number of seconds from {low:g} to {high:g}",
                f"set e.g. `{key}: {getattr(DamageSpec, key):g}`",
            )
        values[key] = float(value)
    return DamageSpec(**values)


def _group(
    where: _Where, raw: object, number: int, actions: frozenset[str], verifications: frozenset[str]
) -> GroupSpec:
    place = f"group {number}"
    fields = where.mapping(raw, place, {"name", "steps"})
    steps = tuple(
        _step(where, s, f"{place} step {n}", actions, verifications)
        for n, s in enumerate(where.items(fields, "steps", place), 1)
    )
    return GroupSpec(where.text(fields, "name", place), steps)


def _step(
    where: _Where, raw: object, place: str, actions: frozenset[str], verifications: frozenset[str]
) -> StepSpec:
    fields = where.mapping(raw, place, {"name", "action", "verify", "timeout_s", "about"})
    # A step without an action only verifies; `action: none`, the older spelling, says the same.
    action: str | None = where.text(fields, "action", place) if "action" in fields else None
    action = None if action == "none" else action
    verify = where.text(fields, "verify", place)
    if action is not None and action not in actions:
        raise where.error(f"{place}: unknown action {action!r}", f"use one of {', '.join(sorted(actions))}")
    if verify not in verifications:
        raise where.error(
            f"{place}: unknown verification {verify!r}", f"use one of {', '.join(sorted(verifications))}"
        )
    timeout = fields.get("timeout_s")
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout <= MAX_TIMEOUT_S:
        raise where.error(
            f"{place}: timeout_s {timeout!r} is not a number of seconds from 1 to {MAX_TIMEOUT_S}",
            "set e.g. `timeout_s: 60`",
        )
    return StepSpec(
        where.text(fields, "name", place), action, verify, float(timeout), str(fields.get("about", ""))
    )


class _Where:
    """Readers that name the plan file and the place in it when a value is wrong."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, what: str, fix: str) -> PlanError:
        return PlanError(f"plan {self.path.name}: {what}", fix)

    def mapping(self, raw: object, place: str, known: set[str]) -> Mapping[str, object]:
        if not isinstance(raw, Mapping):
            raise self.error(f"{place} is not a mapping", "write it as `field: value` lines")
        extra = sorted(set(map(str, raw)) - known)
        if extra:
            raise self.error(
                f"{place} has unknown field {extra[0]!r}", f"known fields: {', '.join(sorted(known))}"
            )
        return raw

    def items(self, fields: Mapping[str, object], key: str, place: str = "the file") -> list[object]:
        value = fields.get(key)
        if not isinstance(value, list) or not value:
            raise self.error(f"{place}: `{key}` is not a non-empty list", f"list the {key} under `{key}:`")
        return value

    def text(self, fields: Mapping[str, object], key: str, place: str) -> str:
        value = fields.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"{place}: `{key}` is missing or not text", f"set `{key}:`")
        return value
