"""`drill matrix`: every experiment in every room where it applies, as game days, into one grid.

Each cell is a whole game day (the stack as planned, the workload, the
fault, the recovery plan, the audit); the matrix writes
reports/matrix-<time>/ with matrix.json, matrix.html, matrix.png and
junit.xml (a test case per cell), and points reports/latest-matrix at it.
A cell fails when anything acknowledged is lost, the intranet failed a
request, a service that could be restored was not, or its game day failed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

from drill import stack as stacks
from drill.errors import MatrixError
from drill.gameday.experiments import experiment_names, load_experiment
from drill.gameday.run import REPORTS, GamedayOptions, prepare_stack, run_gameday
from drill.junit import Case, write_junit
from drill.matrix.cells import CellSpec, cells_for, read_cell
from drill.matrix.render import write_html, write_png
from drill.paths import StatePaths
from drill.records.matrix import Cell, Matrix

log = logging.getLogger(__name__)


def plan_cells(paths: StatePaths, stack: str, only: Sequence[str] = ()) -> list[CellSpec]:
    """The cells to run: every experiment where it applies in the planned stack, or only those named
    `experiment@room` (raises MatrixError naming one that does not apply)."""
    prepare_stack(paths, stack)
    topology = stacks.up(paths, stack).topology
    every = cells_for([load_experiment(name) for name in experiment_names()], topology)
    if not only:
        return every
    known = {cell.label: cell for cell in every}
    missing = [label for label in only if label not in known]
    if missing:
        raise MatrixError(
            f"no cell {missing[0]!r} applies to stack {stack}", f"use some of {', '.join(sorted(known))}"
        )
    return [known[label] for label in only]


def run_matrix(paths: StatePaths, stack: str, only: Sequence[str] = ()) -> tuple[Path, Matrix]:
    """Run the cells as game days one after another; return the matrix folder and the matrix."""
    started = time.time()
    cells = plan_cells(paths, stack, only)
    folder = REPORTS / time.strftime("matrix-%Y%m%dT%H%M%SZ", time.gmtime())
    folder.mkdir(parents=True, exist_ok=True)
    done: list[Cell] = []
    for number, spec in enumerate(cells, 1):
        log.info(f"matrix cell {number}/{len(cells)}: {spec.label}")
        options = GamedayOptions(stack, lost_room=spec.room)
        run = run_gameday(paths, spec.experiment, options)
        done.append(read_cell(spec, run.folder, run.summary))
        log.info(f"cell {spec.label}: {'passed' if done[-1].passed else 'FAILED'}")
    command = "drill matrix" + (f" --cells {','.join(only)}" if only else "")
    matrix = Matrix(stack=stack, started_at=started, ended_at=time.time(), command=command, cells=tuple(done))
    write_matrix(folder, matrix)
    return folder, matrix


def write_matrix(folder: Path, matrix: Matrix) -> None:
    """Write matrix.json, matrix.png, matrix.html and junit.xml, and point reports/latest-matrix here."""
    matrix.write(folder / "matrix.json")
    write_png(folder / "matrix.png", matrix.cells)
    write_html(folder / "matrix.html", matrix.cells, matrix.stack, matrix.started_at, matrix.command)
    cases = [
        Case(f"{c.experiment}@{c.room}", f"matrix.{c.experiment}", c.passed, "; ".join(c.reasons), c.seconds)
        for c in matrix.cells
    ]
    write_junit(folder / "junit.xml", f"matrix {folder.name}", cases, matrix.ended_at - matrix.started_at)
    latest = folder.parent / "latest-matrix"
    if latest.is_symlink() or latest.exists():
        latest.unlink()
    latest.symlink_to(folder.name)
