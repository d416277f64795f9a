"""The workspace copy: committed config wins, machine-bound keys are kept."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from drill import workspace
from drill.errors import ConfigError
from drill.paths import PROJECT_ROOT, StatePaths
from infra.placement import RecoverySpec


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "Pulumi.yaml").write_text("name: hospital-drp\nruntime: python\nmain: infra\n")
    (root / "Pulumi.lab.yaml").write_text("config:\n  hospital-drp:intranet:\n    port: 18080\n")
    monkeypatch.setattr(workspace, "PROJECT_ROOT", root)
    return root


def test_committed_keys_win_and_the_salt_is_kept(project: Path, tmp_path: Path) -> None:
    paths = StatePaths(tmp_path / "state")
    work = workspace.prepare_workspace(paths, "lab")
    stack_file = work / "Pulumi.lab.yaml"
    # what Pulumi writes on its own into the copy
    stack_file.write_text(
        "encryptionsalt: v1:abc\nconfig:\n  hospital-drp:intranet:\n    port: 1\n  hospital-drp:secret: x\n"
    )
    (project / "Pulumi.lab.yaml").write_text("config:\n  hospital-drp:intranet:\n    port: 19090\n")
    workspace.prepare_workspace(paths, "lab")
    merged = yaml.safe_load(stack_file.read_text())
    assert merged["encryptionsalt"] == "v1:abc"
    assert merged["config"]["hospital-drp:intranet"] == {"port": 19090}
    assert merged["config"]["hospital-drp:secret"] == "x"
    project_file = yaml.safe_load((work / "Pulumi.yaml").read_text())
    assert project_file["name"] == "hospital-drp"
    assert project_file["main"] == str(project / "infra")


def test_unknown_stack_lists_the_known_ones(project: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no stack config Pulumi\.prod\.yaml.*stacks lab"):
        workspace.prepare_workspace(StatePaths(tmp_path / "state"), "prod")


def test_stack_config_that_is_not_yaml_is_refused(project: Path, tmp_path: Path) -> None:
    (project / "Pulumi.lab.yaml").write_text("config: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        workspace.prepare_workspace(StatePaths(tmp_path / "state"), "lab")


def test_bad_committed_config_is_refused_before_any_deploy(project: Path) -> None:
    (project / "Pulumi.lab.yaml").write_text(
        "config:\n  hospital-drp:rooms:\n    nord-1: {site: Nord}\n"
        "  hospital-drp:intranet: {replicas: [nord-1, pasteur],\n"
        "    balancers: [nord-1, bellevue], ports: [18080, 18090]}\n"
    )
    with pytest.raises(ConfigError, match="unknown room 'pasteur'"):
        workspace.check_stack_config("lab")


def test_good_committed_config_gives_the_spec(project: Path) -> None:
    (project / "Pulumi.lab.yaml").write_text(
        "config:\n  hospital-drp:rooms:\n    nord-1: {site: Nord}\n    bellevue: {site: Bellevue}\n"
        "  hospital-drp:intranet: {replicas: [nord-1, bellevue],\n"
        "    balancers: [nord-1, bellevue], ports: [18080, 18090]}\n"
        "  hospital-drp:appointments: {port: 18081}\n"
        "  hospital-drp:lab: {mllp_port: 18575, api_port: 18082}\n"
        "  hospital-drp:mail: {smtp_port: 18025, imap_port: 18143}\n"
        "  hospital-drp:postgres_password: {secure: v1:abc}\n"
    )
    spec = workspace.check_stack_config("lab")
    assert spec.intranet.replica_rooms == ("nord-1", "bellevue")
    assert (spec.storage.array_room, spec.vault.room, spec.appointments.room) == (
        "nord-1",
        "bellevue",
        "nord-1",
    )


def test_the_committed_stacks_are_valid() -> None:
    for stack in ("gameday", "ci"):
        assert workspace.check_stack_config(stack).stack == stack


def test_a_committed_recovery_is_refused(project: Path) -> None:
    (project / "Pulumi.lab.yaml").write_text(
        "config:\n  hospital-drp:rooms:\n    nord-1: {site: Nord}\n"
        "  hospital-drp:recovery: {array_room: nord-1}\n"
    )
    with pytest.raises(ConfigError, match="only the recovery plan writes"):
        workspace.check_stack_config("lab")


def test_the_recovery_lives_in_the_machine_copy_only(project: Path, tmp_path: Path) -> None:
    (project / "Pulumi.lab.yaml").write_text((PROJECT_ROOT / "Pulumi.ci.yaml").read_text())
    paths = StatePaths(tmp_path / "state")
    assert workspace.read_recovery(paths, "lab") is None
    planned = workspace.check_stack_config("lab").planned
    layout = planned
    for part in ("storage", "appointments", "lab", "mail"):
        layout = layout.moved(part, "nord-2")
    moved = RecoverySpec(
        layout,
        lost_rooms=("nord-1",),
        lost_storage=("nord-1",),
        without_partial=True,
    )
    workspace.write_recovery(paths, "lab", moved)
    assert workspace.read_recovery(paths, "lab") == moved
    workspace.prepare_workspace(paths, "lab")  # a later deploy keeps it
    assert workspace.read_recovery(paths, "lab") == moved
    assert "recovery" not in (project / "Pulumi.lab.yaml").read_text()
    workspace.write_recovery(paths, "lab", None)
    assert workspace.read_recovery(paths, "lab") is None
    # a placement into a lost room is refused, naming the key
    workspace.write_recovery(paths, "lab", replace(moved, placement=planned))
    with pytest.raises(ConfigError, match="storage_room is nord-1, which the recovery declared lost"):
        workspace.read_recovery(paths, "lab")
