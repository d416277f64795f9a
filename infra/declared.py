"""The program run against Pulumi mocks: every resource it declares, with its inputs.

Used by the unit tests (what the program declares, and where) and by the
benchmarks, which write the same containers as a Docker Compose file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from infra.config import StackSpec
from infra.images import ServiceImages
from infra.program import deploy
from infra.topology import Topology

# How Pulumi's mocks mark a secret value: {SECRET_SIGNATURE: ..., "value": ...}.
SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"  # noqa: S105 (a marker, not a password)


@dataclass(frozen=True)
class Declared:
    """One resource as the program declared it."""

    typ: str
    name: str
    inputs: dict[str, Any]
    provider: str | None
    depends_on: tuple[str, ...] = ()  # logical names of what its options say it waits for


@dataclass(frozen=True)
class Declaration:
    """What one run of the program declared, and the topology it returned."""

    declared: list[Declared]
    topology: Topology

    def of_type(self, typ: str) -> dict[str, Declared]:
        """The resources of one type, by logical name."""
        return {d.name: d for d in self.declared if d.typ == typ}


class _RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.declared: list[Declared] = []
        self.depends_on: dict[str, tuple[str, ...]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        waits = self.depends_on.get(args.name, ())
        self.declared.append(Declared(args.typ, args.name, dict(args.inputs), args.provider, waits))
        return f"{args.name}-id", dict(args.inputs)

    def record_depends_on(self, args: pulumi.ResourceTransformationArgs) -> None:
        """A stack transformation that only notes each resource's explicit depends_on."""
        waits = args.opts.depends_on if args.opts else None
        listed = waits if isinstance(waits, list) else [waits] if waits is not None else []
        self.depends_on[args.name] = tuple(str(getattr(r, "_name", "")) for r in listed)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def declare(spec: StackSpec, images: ServiceImages, secrets: Mapping[str, str]) -> Declaration:
    """Run the program for spec under mocks; nothing is deployed."""
    mocks = _RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="hospital-drp", stack=spec.stack, preview=False)
    found: list[Topology] = []

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def program() -> None:
        pulumi.runtime.register_stack_transformation(lambda args: mocks.record_depends_on(args))
        wrapped = {key: pulumi.Output.secret(value) for key, value in secrets.items()}
        found.append(deploy(spec, images, wrapped))

    program()
    return Declaration(mocks.declared, found[0])


def revealed(value: Any) -> Any:
    """The value inside Pulumi's secret wrapper, as mocks receive it."""
    if isinstance(value, dict) and SECRET_SIGNATURE in value:
        return revealed(value["value"])
    if isinstance(value, list):
        return [revealed(item) for item in value]
    if isinstance(value, dict):
        return {key: revealed(item) for key, item in value.items()}
    return value
