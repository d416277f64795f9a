"""bench/results/<day>.json: what `drill bench` measured, part by part, and on what machine.

Each part is written when it is measured (a later run of the same day
replaces only the parts it ran); bench/README.md's tables are rendered from
this record. A distribution is drill/stats.py's: n, min, q1, median, q3,
max and spread.
"""

from __future__ import annotations

import pydantic

from drill.records.base import Record

Distribution = dict[str, float]


class Machine(Record):
    """What the figures were measured on."""

    cores: int | None = None
    memory_gib: float | None = None
    kernel: str | None = None
    dockerd: str | None = None
    pulumi: str | None = None
    compose: str | None = None
    hyperfine: str | None = None


class Part(Record):
    """A part of the bench: when it was measured (UTC, ISO 8601)."""

    measured_at: str = ""


class Standup(Part):
    """`drill up` and `drill down` against docker compose, by hyperfine: seconds per command."""

    reps: int
    containers: int
    up: dict[str, Distribution]
    down: dict[str, Distribution]


class FootprintSample(Record):
    """The whole replica's memory and CPU, sampled by `docker stats`."""

    containers: int
    memory_mib: Distribution
    cpu_percent_of_one_core: Distribution
    heaviest_mib: dict[str, float] = pydantic.Field(default_factory=dict)
    rate_per_s: float | None = None  # the workload's rate, when it ran


class Footprint(Part):
    """Idle, then under the game day's workload."""

    idle: FootprintSample
    workload: FootprintSample


class RestoreSize(Record):
    """One size of the restore bench: the vault's restore against a raw copy of the same bytes."""

    target_mb: int
    data_mb: float
    vault_bytes: int
    rows: int
    restore_s: float
    copy_s: float
    restore_mb_per_s: float
    copy_mb_per_s: float
    ratio: float
    cold_cache: bool


class Restore(Part):
    """The restore bench at every size asked."""

    sizes: tuple[RestoreSize, ...] = ()


class Gamedays(Part):
    """Distributions of what the game days of a soak report measured."""

    soak_report: str
    experiment: str
    runs: int
    passed: int
    seconds: Distribution
    phases_s: dict[str, Distribution]
    rto_s: dict[str, Distribution]
    acked: dict[str, Distribution]
    lost: dict[str, Distribution]
    lost_total: int
    acked_total: int
    left_after_down: tuple[str, ...] | None = None
    shaped_left: tuple[str, ...] = ()


class TlsLink(Record):
    """One link's new connections, plain and over TLS, in milliseconds (plain empty: TLS only)."""

    link: str
    exchange: str
    plain_ms: Distribution
    tls_ms: Distribution
    added_ms: float  # the medians' difference (TLS only: the handshake's median)
    ratio: float | None = None  # TLS over plain, medians


class TlsCost(Part):
    """What TLS adds per new connection, side by side on the standing stack (drill/bench/tls_cost.py)."""

    reps: int
    links: tuple[TlsLink, ...] = ()


# The parts of `make bench`, in the order it runs them (and bench/README.md shows them).
PARTS = ("standup", "footprint", "tls", "restore", "gamedays")


class BenchResults(Record):
    """One day's bench results: the machine and each part that was measured."""

    machine: Machine = Machine()
    restore: Restore | None = None
    standup: Standup | None = None
    footprint: Footprint | None = None
    gamedays: Gamedays | None = None
    tls: TlsCost | None = None
