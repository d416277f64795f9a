"""What a run of the recovery plan knows and carries from step to step.

The plan learns the stack only from its `topology` output (re-read after
every Pulumi run) and reaches containers by the names and rooms it gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from docker.models.containers import Container

from drill.engines import ContainerHealth, container_of
from drill.errors import RecoveryError
from drill.paths import StatePaths
from drill.recovery.plan import PlanSpec
from infra.hosting import SWARM
from infra.placement import RecoverySpec
from infra.topology import ContainerInfo, Topology

if TYPE_CHECKING:
    from drill.records.plan import Damage


@dataclass(frozen=True)
class Outcome:
    """What an action did: whether it changed anything, and what it saw."""

    changed: bool
    detail: str


@dataclass(frozen=True)
class Verdict:
    """What a verification found: whether the step worked, and what it saw; final when a failure
    cannot pass by waiting (polling stops there instead of at the step's timeout)."""

    ok: bool
    detail: str
    final: bool = False
    # What the plan cannot restore, as this verification found (the plan's result lists it).
    cannot_restore: tuple[str, ...] = ()


@dataclass
class Recovery:
    """The state of one run of the plan, shared by its steps."""

    paths: StatePaths
    stack: str
    plan: PlanSpec
    topology: Topology
    mail_password: str  # of the one mailbox the mail check reads (topology.mail.mailbox(1)), no other
    without_partial: bool = False
    already_recovered: bool = False
    damage: Damage | None = None
    # What the plan declared lost and where it places everything (set by assess-damage).
    recovery: RecoverySpec | None = None

    def storage_lost(self) -> bool:
        """Whether the storage standing now is (or replaced) storage that was lost: it is restored."""
        if self.damage is not None and self.damage.storage_lost:
            return True
        return bool(self.topology.lost_storage) and self.already_recovered

    def storage(self, service: str) -> ContainerInfo:
        """The storage-tier container of service (`storage`: the array; `mail`: the mail store)."""
        for info in self.topology.service(service).containers:
            if info.tier == "storage" or service == "storage":
                return info
        raise RecoveryError(
            f"the topology shows no storage container for {service}", "run `drill up`, then the plan again"
        )

    def tier(self, service: str, tier: str) -> list[ContainerInfo]:
        """The containers of service in tier."""
        return [c for c in self.topology.service(service).containers if c.tier == tier]

    def container(self, info: ContainerInfo) -> Container | None:
        """The Docker container info names, on its room's host; None when it does not exist."""
        return container_of(self.topology, info)

    def beyond_reach(self) -> set[str]:
        """The rooms the plan must not act in: across a swarm, those whose host it declared lost (cut
        off or dead; drill/chaos/host_loss.py fences them when they come back, before they rejoin)."""
        lost = self.recovery.lost_rooms if self.recovery else ()
        return set(lost) if self.topology.hosting == SWARM else set()

    def health(self, info: ContainerInfo) -> ContainerHealth:
        """What the engine of info's room says of its container."""
        return ContainerHealth.of(info.name, self.container(info))

    def run(self, info: ContainerInfo, *argv: str, user: str = "root") -> tuple[int, str]:
        """Run argv in the container info names; return its exit code and output (-1 when it is down)."""
        found = self.container(info)
        if found is None or found.status != "running":
            return -1, f"{info.name} is not running"
        done = found.exec_run(list(argv), user=user)
        return int(done.exit_code), done.output.decode(errors="replace").strip()
