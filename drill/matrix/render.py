"""The matrix as people read it: a picture (matrix.png) and a page (matrix.html) of the grid.

A row per (fault, room), a column per service; each cell says stayed up,
restored in N s, came back, refused (with the reason) or NOT restored, with
lost/acked writes. Green is good, red is a failed cell's fault.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from drill.matrix.cells import SERVICES
from drill.records.matrix import GOOD, Cell, ServiceCell

COLOURS = {
    "stayed up": "#2e9d4f",
    "restored": "#7cc68d",
    "came back": "#b7e0c1",
    "refused": "#f2c14e",
    "not restored": "#c62828",
}


def cell_text(service: ServiceCell, short: bool = False) -> str:
    """What one service's cell says: its outcome, and lost/acked when it had writes."""
    text = service.text if not short or service.outcome != "refused" else "refused"
    writes = (
        f"{service.lost} lost / {service.acked} acked"
        if service.service != "intranet"
        else (f"{service.acked} requests")
    )
    return f"{text}\n{writes}"


def _colour(service: ServiceCell) -> str:
    if service.lost:
        return COLOURS["not restored"]
    return COLOURS[service.outcome]


def write_png(path: Path, cells: Sequence[Cell]) -> None:
    """The grid as a picture."""
    rows = [f"{c.experiment} @ {c.room}" for c in cells]
    figure, axes = plt.subplots(figsize=(4.5 + 2.6 * len(SERVICES), 0.9 + 0.75 * max(1, len(cells))))
    axes.axis("off")
    text = [[*(_text_of(c, name) for name in SERVICES), _verdict(c)] for c in cells]
    colours = [[*(_colour_of(c, name) for name in SERVICES), _verdict_colour(c)] for c in cells]
    table = axes.table(
        cellText=text or [["no cell ran"] * (len(SERVICES) + 1)],
        cellColours=colours or [["#ffffff"] * (len(SERVICES) + 1)],
        rowLabels=rows or ["—"],
        colLabels=[*SERVICES, "verdict"],
        cellLoc="center",
        loc="center",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.scale(1, 2.6)
    axes.set_title("Survive / restore matrix", fontweight="bold")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _verdict(cell: Cell) -> str:
    if cell.passed:
        return "passed"
    first = cell.reasons[0] if cell.reasons else "failed"
    return "FAILED\n" + (first[:40] + "…" if len(first) > 40 else first)


def _verdict_colour(cell: Cell) -> str:
    return "#ffffff" if cell.passed else COLOURS["not restored"]


def _text_of(cell: Cell, name: str) -> str:
    found = next((s for s in cell.services if s.service == name), None)
    return cell_text(found, short=True) if found else "—"


def _colour_of(cell: Cell, name: str) -> str:
    found = next((s for s in cell.services if s.service == name), None)
    return _colour(found) if found else "#eeeeee"


def write_html(path: Path, cells: Sequence[Cell], stack: str, started_at: float, command: str) -> None:
    """The grid as a page, each row linking to its game day's report, the picture below."""
    passed = all(c.passed for c in cells) and bool(cells)
    verdict = "PASSED" if passed else "FAILED"
    when = dt.datetime.fromtimestamp(started_at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = "".join(f"<th>{html.escape(name)}</th>" for name in ("fault @ room", *SERVICES, "verdict"))
    rows = (
        "".join(_row(cell) for cell in cells)
        or f'<tr><td colspan="{len(SERVICES) + 2}">no cell ran</td></tr>'
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Survive / restore matrix: {verdict}</title>
<style>
body {{ font-family: sans-serif; margin: 2rem; color: #222; }}
.verdict {{ display: inline-block; font-size: 2rem; font-weight: 800; color: white; padding: .2rem 1rem; }}
.verdict.passed {{ background: #2e9d4f; }} .verdict.failed {{ background: #c62828; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
th, td {{ border: 1px solid #999; padding: .4rem .6rem; text-align: center; vertical-align: top; }}
td.cell {{ white-space: pre-line; }}
{_outcome_styles()}
td.lost {{ background: #c62828; color: white; }}
</style></head><body>
<h1>Survive / restore matrix</h1>
<div class="verdict {verdict.lower()}">{verdict}</div>
<p>Stack <code>{html.escape(stack)}</code>, {when}, {len(cells)} cells,
by <code>{html.escape(command)}</code>.
A cell fails when anything acknowledged is lost, the intranet failed a request, a service that
could be restored was not, or its game day failed.</p>
<table id="matrix"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>
<img id="matrix-picture" src="matrix.png" alt="the survive/restore matrix as a picture">
</body></html>
"""
    path.write_text(page, encoding="utf-8")


def _outcome_styles() -> str:
    return "".join(
        f"td.{kind.replace(' ', '-')} {{ background: {colour}; }}" for kind, colour in COLOURS.items()
    )


def _row(cell: Cell) -> str:
    report = f"../{cell.run_id}/report.html"
    label = f'<a href="{html.escape(report)}">{html.escape(cell.experiment)} @ {html.escape(cell.room)}</a>'
    tds = []
    for name in SERVICES:
        found = next((s for s in cell.services if s.service == name), None)
        if found is None:
            tds.append('<td class="cell">—</td>')
            continue
        kind = "lost" if found.lost or found.outcome not in GOOD else found.outcome.replace(" ", "-")
        tds.append(f'<td class="cell {kind}" data-service="{name}">{html.escape(cell_text(found))}</td>')
    verdict = "passed" if cell.passed else "FAILED: " + "; ".join(cell.reasons)
    name = html.escape(f"{cell.experiment}@{cell.room}")
    return f'<tr data-cell="{name}"><th>{label}</th>{"".join(tds)}<td>{html.escape(verdict)}</td></tr>'
