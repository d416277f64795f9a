"""Every experiment is valid for Chaos Toolkit, and its built-in defaults are the gameday stack's.

Plain `chaos run experiments/NAME.json` against a standing gameday stack
must work without a var file: each default must equal what `drill gameday`
writes for that stack from its topology (the program run under mocks).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chaoslib.experiment import ensure_experiment_is_valid
from chaoslib.loader import load_experiment as chaos_load

from drill.gameday.experiments import EXPERIMENTS, experiment_names, load_experiment, write_vars
from drill.paths import PROJECT_ROOT, StatePaths
from drill.workspace import check_stack_config
from infra.declared import declare
from tests.unit.test_program import IMAGES, SECRETS

PER_RUN = {"run_dir", "tls_ca_file"}  # drill writes both into the run's folder


def stack_vars(stack: str, folder: Path) -> dict[str, object]:
    topology = declare(check_stack_config(stack), IMAGES, SECRETS).topology
    path = write_vars(topology, folder)
    values: dict[str, object] = json.loads(path.read_text())["configuration"]
    return values


@pytest.fixture(scope="module")
def stacks_vars(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What drill writes for the stack each experiment runs on: gameday, or swarm for those that
    break a room's host."""
    return {
        "gameday": stack_vars("gameday", tmp_path_factory.mktemp("vars")),
        "swarm": stack_vars("swarm", tmp_path_factory.mktemp("vars")),
    }


def test_there_is_an_experiment_for_every_fault_of_the_design() -> None:
    assert {"storage-failure", "storage-slowdown", "room-loss", "vault-loss"} <= set(experiment_names())


@pytest.mark.parametrize("name", experiment_names())
def test_chaos_toolkit_finds_the_experiment_valid(name: str) -> None:
    experiment = chaos_load(str(EXPERIMENTS / f"{name}.json"))
    ensure_experiment_is_valid(experiment)
    assert load_experiment(name).expect in ("recovery", "refusal", "steady", "unchanged")


@pytest.mark.parametrize("name", experiment_names())
def test_the_defaults_are_those_drill_writes_for_the_gameday_stack(
    name: str, stacks_vars: dict[str, dict[str, object]]
) -> None:
    """(or the swarm stack's, for an experiment that needs it)"""
    defaults = json.loads(Path(EXPERIMENTS / f"{name}.json").read_text())["configuration"]
    gameday_vars = stacks_vars[load_experiment(name).hosting or "gameday"]
    used = set(defaults) - PER_RUN
    assert used <= set(gameday_vars), f"{name} takes values drill does not write: {used - set(gameday_vars)}"
    differ = {key: (defaults[key], gameday_vars[key]) for key in used if defaults[key] != gameday_vars[key]}
    assert not differ, f"{name}: default -> what drill writes: {differ}"


@pytest.mark.parametrize("name", experiment_names())
def test_a_plain_chaos_run_checks_https_with_the_ca_drill_up_leaves(name: str) -> None:
    defaults = json.loads(Path(EXPERIMENTS / f"{name}.json").read_text())["configuration"]
    https = [key for key, value in defaults.items() if str(value).startswith("https://")]
    if https:
        left = StatePaths(PROJECT_ROOT / ".state").ca_file(str(defaults["stack"]))
        assert defaults["tls_ca_file"] == str(left.relative_to(PROJECT_ROOT)), https


@pytest.mark.parametrize("name", experiment_names())
def test_every_value_the_experiment_uses_has_a_default(name: str) -> None:
    text = Path(EXPERIMENTS / f"{name}.json").read_text()
    defaults = json.loads(text)["configuration"]
    used = {part.split("}", 1)[0] for part in text.split("${")[1:]}
    assert used <= set(defaults), f"{name} uses {used - set(defaults)} without a default"
