"""The matrix: which cells apply where, what each cell says per service, and the files it writes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from drill.gameday.experiments import experiment_names, load_experiment
from drill.matrix.cells import CellSpec, cells_for, read_cell
from drill.matrix.run import write_matrix
from drill.records.matrix import Cell, Matrix
from drill.records.summary import GamedaySummary
from drill.workspace import check_stack_config
from infra.declared import declare
from tests.unit.test_program import IMAGES, SECRETS


@pytest.fixture(scope="module")
def planned_cells() -> list[str]:
    topology = declare(check_stack_config("gameday"), IMAGES, SECRETS).topology
    return [c.label for c in cells_for([load_experiment(n) for n in experiment_names()], topology)]


def test_storage_faults_apply_to_the_array_room_and_room_loss_to_every_room(planned_cells: list[str]) -> None:
    assert "room-loss@nord-1" in planned_cells and "room-loss@nord-2" in planned_cells
    assert "room-loss@bellevue" in planned_cells and "room-loss@biology" not in planned_cells
    for storage in ("storage-failure", "san-failure", "storage-hang", "san-crawl", "storage-blip"):
        assert [c for c in planned_cells if c.startswith(storage + "@")] == [f"{storage}@nord-1"]
    assert [c for c in planned_cells if c.startswith("vault-loss@")] == ["vault-loss@bellevue"]


def ledger(path: Path, failing: tuple[str, ...]) -> None:
    lines = [{"at": 1.0, "service": s, "op": "x", "key": "k", "status": "ok", "detail": ""} for s in ("lab",)]
    lines += [
        {"at": 2.0, "service": s, "op": "x", "key": "k", "status": "failed", "detail": ""} for s in failing
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def summary(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "run_id": "gd-1",
        "experiment": "room-loss",
        "started_at": 100.0,
        "ended_at": 250.0,
        "passed": True,
        "reasons": [],
        "cannot_restore": [],
        "intranet_failed_requests": 0,
        "services": {
            "appointments": {"rto_s": 45.6, "acked": 17, "lost": 0, "restored": True},
            "lab": {"rto_s": 46.0, "acked": 20, "lost": 0, "restored": True},
            "mail": {"rto_s": 47.0, "acked": 15, "lost": 0, "restored": True},
            "intranet": {"rto_s": 0.0, "acked": 183, "lost": 0, "restored": None},
        },
    }
    return {**base, **changes}


def cell(tmp_path: Path, failing: tuple[str, ...], name: str = "room-loss", **changes: object) -> Cell:
    ledger(tmp_path / "ledger.jsonl", failing)
    found = GamedaySummary.model_validate(summary(**changes))
    return read_cell(CellSpec(load_experiment(name), "nord-1"), tmp_path, found)


def outcomes(found: Cell) -> dict[str, str]:
    return {s.service: s.text for s in found.services}


def test_a_service_that_never_failed_stayed_up_and_one_that_did_was_restored(tmp_path: Path) -> None:
    found = cell(tmp_path, ("appointments", "mail"))
    assert outcomes(found) == {
        "appointments": "restored in 46 s",
        "lab": "stayed up",
        "mail": "restored in 47 s",
        "intranet": "stayed up",
    }
    assert found.passed and found.seconds == 150.0


def test_a_service_that_failed_and_was_not_verified_back_fails_the_cell(tmp_path: Path) -> None:
    services = summary()["services"]
    assert isinstance(services, dict)
    services["lab"] = {"rto_s": None, "acked": 20, "lost": 0, "restored": False}
    found = cell(
        tmp_path,
        ("lab",),
        passed=False,
        reasons=["the recovery plan failed at verify-lab"],
        services=services,
    )
    assert outcomes(found)["lab"] == "NOT restored" and not found.passed
    assert any("not restored though it could be: lab" in r for r in found.reasons)


def test_a_refusal_names_its_reason_and_passes_and_loss_always_fails(tmp_path: Path) -> None:
    refused = cell(tmp_path, ("appointments",), "vault-loss", cannot_restore=["the databases (vault away)"])
    assert outcomes(refused)["appointments"] == "refused: the databases (vault away)" and refused.passed
    services = summary()["services"]
    assert isinstance(services, dict)
    services["mail"] = {"rto_s": 47.0, "acked": 15, "lost": 1, "restored": True}
    assert not cell(tmp_path, ("mail",), services=services).passed


def test_a_blip_the_services_came_back_from_without_the_plan(tmp_path: Path) -> None:
    services = {name: {"rto_s": None, "acked": 3, "lost": 0, "restored": False} for name in ("appointments",)}
    found = cell(tmp_path, ("appointments",), "storage-blip", services=services)
    assert outcomes(found) == {"appointments": "came back without the plan"} and found.passed


def test_the_matrix_writes_its_grid_picture_page_and_junit(tmp_path: Path) -> None:
    good = cell(tmp_path, ("appointments",))
    bad = Cell(
        experiment="san-failure",
        room="nord-1",
        run_id="gd-2",
        passed=False,
        reasons=("2 acknowledged writes lost",),
        services=good.services,
        seconds=99.0,
    )
    folder = tmp_path / "matrix-x"
    folder.mkdir()
    write_matrix(
        folder,
        Matrix(stack="gameday", started_at=1.0, ended_at=200.0, command="drill matrix", cells=(good, bad)),
    )
    data = json.loads((folder / "matrix.json").read_text())
    assert data["passed"] is False and [c["experiment"] for c in data["cells"]] == [
        "room-loss",
        "san-failure",
    ]
    assert (folder / "matrix.png").read_bytes()[:4] == b"\x89PNG"
    page = (folder / "matrix.html").read_text()
    assert "FAILED" in page and 'data-cell="san-failure@nord-1"' in page and "restored in 46 s" in page
    suite = ET.parse(folder / "junit.xml").getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    failure = suite.find("testcase[@name='san-failure@nord-1']/failure")
    assert failure is not None and "2 acknowledged writes lost" in (failure.text or "")
    assert (tmp_path / "latest-matrix").resolve() == folder.resolve()
