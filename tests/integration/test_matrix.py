"""The survive/restore matrix over the faults `make test` can afford, on the real stack.

One run of `drill matrix --cells ...` (each cell a whole game day under the
workload, from the stack as planned, with the plan's recovery and the
audit); the tests read what it wrote, as a user or a CI system would.
The blip runs first: it must leave nothing to rebuild. The full matrix
is `make matrix`.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By

from drill.matrix.run import run_matrix
from drill.records.matrix import Cell, Matrix, ServiceCell
from drill.records.plan import StepResult
from drill.records.summary import GamedaySummary, load_summary
from tests.integration.conftest import STACK, Deployed

pytestmark = pytest.mark.docker
# The storage's hang and crawl and the loss of its room are `make matrix`'s: `make test` runs the
# storage's failure and its room's host cut off across hosts instead (test_swarm.py), in its 30 min.
CELLS = (
    "storage-blip@nord-1",
    "san-failure@nord-1",
    "room-loss@nord-2",
)
RESTORED = ("appointments", "lab", "mail")
# Debian's Chromium and its driver (make test installs them: scripts/test-clients.sh).
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def matrix(deployed: Deployed) -> Path:
    folder, ran = run_matrix(deployed.paths, STACK, CELLS)
    assert read_matrix(folder) == ran  # what it wrote is what it returned
    return folder


def read_matrix(folder: Path) -> Matrix:
    return Matrix.read(folder / "matrix.json", "run the matrix again")


def cell(matrix: Path, label: str) -> Cell:
    [found] = [c for c in read_matrix(matrix).cells if c.label == label]
    return found


def services(found: Cell) -> dict[str, ServiceCell]:
    return {s.service: s for s in found.services}


def summary(matrix: Path, found: Cell) -> GamedaySummary:
    return load_summary(matrix.parent / found.run_id / "summary.json")


def test_the_matrix_writes_its_grid_and_every_cell_passes(matrix: Path) -> None:
    data = read_matrix(matrix)
    assert [c.label for c in data.cells] == list(CELLS)
    failed = {c.label: list(c.reasons) for c in data.cells if not c.passed}
    assert failed == {} and data.passed is True
    assert json.loads((matrix / "matrix.json").read_text())["passed"] is True
    for part in ("matrix.html", "matrix.png", "junit.xml"):
        assert (matrix / part).stat().st_size > 0, part
    assert (matrix.parent / "latest-matrix").resolve() == matrix.resolve()
    for found in data.cells:
        for service in found.services:
            assert service.lost == 0, (found.experiment, service)


def test_a_blip_under_the_grace_changes_nothing(matrix: Path) -> None:
    found = cell(matrix, "storage-blip@nord-1")
    plan = summary(matrix, found)
    damage = plan.damage
    assert damage is not None and damage.lost is False
    assert "answers again after" in damage.summary  # the plan saw the blip, then its end
    assert {s.name: s.status for s in plan.steps}["recreate-storage"] == "skipped"


@pytest.mark.parametrize("label", ["san-failure@nord-1"])
def test_storage_lost_while_its_containers_live_is_judged_lost_and_recovered(
    matrix: Path, label: str
) -> None:
    found = cell(matrix, label)
    judged = summary(matrix, found).damage
    assert judged is not None and judged.lost is True
    assert "the storage of nord-1 is lost" in judged.summary
    for name in RESTORED:
        service = services(found)[name]
        assert service.text.startswith("restored in"), (label, service)
        assert service.acked > 0
    assert services(found)["intranet"].text == "stayed up"


def test_the_old_array_is_fenced_and_stays_so_once_the_san_is_mended(matrix: Path) -> None:
    """san-failure's rollback mends the SAN after the plan: the old array must not be back."""
    found = cell(matrix, "san-failure@nord-1")
    run = summary(matrix, found)
    journal = json.loads((matrix.parent / found.run_id / "journal.json").read_text())
    mended = [r for r in journal["rollbacks"] if r["activity"]["name"] == "mend-san"]
    # Nothing left to mend: the plan had fenced the old array and mail store before the rollback ran.
    assert mended and mended[0]["status"] == "succeeded" and mended[0]["output"] == []
    # And nothing of them came back afterwards: `drill up` after the game day found nothing to change.
    # (What stands now is the stack as later cells left it: each rebuilds it as planned first.)
    assert run.drift_after == 0
    assert "storage: nord-1 -> nord-2" in assessed(matrix, found).detail
    assert all(s.unexpected == 0 and s.lost == 0 for s in run.services.values())


def assessed(matrix: Path, found: Cell) -> StepResult:
    """The assess-damage step of a cell's plan."""
    return next(s for s in summary(matrix, found).steps if s.name == "assess-damage")


def test_the_loss_of_the_intranet_room_keeps_every_service_up(matrix: Path) -> None:
    found = cell(matrix, "room-loss@nord-2")
    texts = {name: s.text for name, s in services(found).items()}
    assert texts["intranet"] == "stayed up"
    detail = assessed(matrix, found).detail
    assert "nord-2 lost entire" in detail and "intranet replica 1: nord-2 -> nord-1" in detail
    assert "intranet balancer 1: nord-2 -> nord-1" in detail


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    """Debian's headless Chromium, driven by its chromedriver; it opens files only."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tempfile.mkdtemp(prefix='hdrp-chromium-')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=ChromeService(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def pictures_loaded(driver: webdriver.Chrome) -> list[str]:
    """The pictures of the open page that did not load (empty when all did)."""
    script = "return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    missing: list[str] = driver.execute_script(script)
    return missing


def test_a_reader_sees_the_matrix_verdict_every_cell_and_its_picture(
    matrix: Path, browser: webdriver.Chrome
) -> None:
    browser.get((matrix / "matrix.html").as_uri())
    assert browser.find_element(By.CLASS_NAME, "verdict").text == "PASSED"
    found = browser.find_elements(By.CSS_SELECTOR, "tr[data-cell]")
    rows = {row.get_attribute("data-cell"): row for row in found}
    assert list(rows) == list(CELLS)
    for label in CELLS:
        tds = rows[label].find_elements(By.CSS_SELECTOR, "td.cell")
        shown = {str(td.get_attribute("data-service")): td.text for td in tds}
        assert set(shown) == {"appointments", "lab", "mail", "intranet"}, label
        for name, text in shown.items():
            expected = services(cell(matrix, label))[name]
            assert expected.text in text and (name == "intranet" or f"{expected.lost} lost" in text)
    picture = browser.find_element(By.ID, "matrix-picture")
    assert picture.is_displayed() and pictures_loaded(browser) == []


def test_a_reader_follows_a_cell_to_its_game_day_report(matrix: Path, browser: webdriver.Chrome) -> None:
    browser.get((matrix / "matrix.html").as_uri())
    browser.find_element(By.CSS_SELECTOR, 'tr[data-cell="room-loss@nord-2"] th a').click()
    assert browser.current_url.endswith("/report.html")
    assert browser.find_element(By.CLASS_NAME, "verdict").text == "PASSED"
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "How the damage was judged" in body and "nord-2 lost entire" in body
    assert "Recovery steps" in body and "assess-damage" in body
    images = browser.find_elements(By.TAG_NAME, "img")
    assert images and all(image.is_displayed() for image in images) and pictures_loaded(browser) == []
