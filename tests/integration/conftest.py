"""The deployed test stack: one real `drill up` of stack `ci` for the whole session.

These tests deploy with the real engine and the real docker plugin. Under
`make test` (and so in CI), which starts the engine, a missing engine fails
the run; a plain `pytest` without one skips them, saying why.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from drill import stack as stacks
from drill.hosts import harness
from drill.leftovers import find_leftovers, remove_leftovers
from drill.paths import StatePaths, state_paths
from drill.toolchain.docker_engine import engine_version
from drill.toolchain.pulumi_cli import find_pulumi_cli
from infra.docker_hosts import LOCAL_ENGINE
from infra.mail_passwords import mailbox_password
from infra.topology import Topology
from tests.integration.engine import trust

STACK = "ci"


@dataclass(frozen=True)
class Deployed:
    """The test stack as the first `drill up` left it."""

    paths: StatePaths
    topology: Topology
    first_up_seconds: float
    first_up_changes: dict[str, int]

    @property
    def ca_file(self) -> str:
        """The stack's CA certificate, where `drill up` leaves it: what the probes check TLS with."""
        return str(self.paths.ca_file(self.topology.stack))

    def secret(self, key: str) -> str:
        """A generated secret of the test stack, as the deployed containers got it."""
        return _secret(self.paths, key)

    def mail_password(self, address: str) -> str:
        """The password of the mailbox at address, derived from the stack's key as drill does."""
        return mailbox_password(self.secret("mail_password_key"), address)

    def mail_passwords(self) -> dict[str, str]:
        """Every mailbox's password: what the workload holds."""
        return {address: self.mail_password(address) for address in self.topology.mail.addresses()}


def _secret(paths: StatePaths, key: str) -> str:
    return _secrets(paths)[key]


@functools.cache
def _secrets(paths: StatePaths) -> dict[str, str]:
    """Read once per session, all at once: each read opens the stack through the Pulumi CLI (one
    read per key took 27 s for the 26 keys the security tests look for)."""
    return stacks.all_secrets(paths, STACK)


# Files of whole game days, in the order they run, after every other test.
GAMEDAY_FILES = ("test_matrix.py", "test_gameday.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Game days last: each leaves the stack recovered (its storage moved by the plan) and the
    next one rebuilds it as planned itself, so no test after them has to wait for a rebuild."""
    items.sort(
        key=lambda item: GAMEDAY_FILES.index(item.path.name) + 1 if item.path.name in GAMEDAY_FILES else 0
    )


@pytest.fixture(scope="session")
def harness_hosts() -> Iterator[list[harness.HostStatus]]:
    """The four hosts of `drill hosts` for the session: made, or kept as they stand (`make test` makes
    them and loads the swarm stack's images while the fast checks run); removed at the end, leaving
    nothing of them on the machine."""
    try:
        yield harness.up()
    finally:
        assert harness.down() == []


@pytest.fixture(scope="session")
def deployed() -> Iterator[Deployed]:
    # `make integration` (so `make test` and CI) sets HOSPITAL_DRP_REQUIRE_ENGINE: there a
    # missing engine or CLI fails the run; a plain `pytest` elsewhere skips, saying why.
    missing = pytest.fail if os.environ.get("HOSPITAL_DRP_REQUIRE_ENGINE") else pytest.skip
    if engine_version() is None:
        missing("no Docker engine answers: run `make bootstrap` (CI always starts one)")
    paths = state_paths()
    if find_pulumi_cli(paths) is None:
        missing("the Pulumi CLI is not built: run `make bootstrap`")
    hosts: set[str] = set()
    try:
        stacks.down(paths, STACK)  # what a crashed run may have left
        remove_leftovers(STACK, {LOCAL_ENGINE})  # and what a lost state folder may have
        result = stacks.up(paths, STACK)
        trust(result.topology.tls_ca)
        hosts = {room.docker_host for room in result.topology.rooms}
        yield Deployed(paths, result.topology, result.seconds, result.changes)
    finally:
        stacks.down(paths, STACK)
    assert find_leftovers(STACK, hosts or {LOCAL_ENGINE}) == []
