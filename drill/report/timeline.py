"""timeline.png: one lane per service, the fault, the recovery plan and its steps, over the run.

Drawn with matplotlib's object API on an Agg canvas (no pyplot, no display),
so it renders the same on a headless CI machine. Steps are numbered markers
in a strip above the lanes, staggered over a few rows when they crowd, with
their names in a legend on the right.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from drill.records.plan import StepResult as Step
from drill.records.summary import GamedaySummary as Summary
from drill.report.availability import Availability, Health

COLOURS: dict[Health, str] = {"ok": "#2e9d4f", "failed": "#d43c3c", "mixed": "#f0a531", "idle": "#e3e3e3"}
LABELS: dict[Health, str] = {
    "ok": "all ok",
    "failed": "all failed",
    "mixed": "mixed or unknown",
    "idle": "no operation",
}
FAULT = "#c00000"
PLAN = "#3b73c4"
STEP_COLOURS = {"done": "#1f3f6e", "unchanged": "#6b7f99", "failed": FAULT, "skipped": "#9a9a9a"}
STRIP_ROWS = (0.62, 0.36, 0.10)
MAX_LEGEND_STEPS = 22
WIDTH_IN, HEIGHT_IN, DPI = 14.0, 6.0, 100


def draw_timeline(summary: Summary, lanes: Availability, path: Path) -> Path:
    """Draw the run's timeline and save it as a PNG of about 1400x600 px at path; return path."""
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(2, 2, width_ratios=(4, 1), height_ratios=(1, 4))
    lane_axes = figure.add_subplot(grid[1, 0])
    strip = figure.add_subplot(grid[0, 0], sharex=lane_axes)
    legend_axes = figure.add_subplot(grid[:, 1])
    span = max(summary.duration_s, 1.0)
    _draw_lanes(lane_axes, lanes, summary)
    _draw_markers(strip, lane_axes, summary, span)
    _draw_step_legend(legend_axes, summary.steps)
    lane_axes.set_xlim(0, span)
    lane_axes.set_xlabel("seconds since the start of the run", fontsize=12)
    lane_axes.tick_params(labelsize=11)
    figure.suptitle(f"{summary.experiment} — {summary.run_id}", fontsize=15, fontweight="bold")
    figure.savefig(path, format="png")
    return path


def _draw_lanes(axes: Axes, lanes: Availability, summary: Summary) -> None:
    rows = len(lanes.lanes)
    for index, lane in enumerate(lanes.lanes):
        y = rows - 1 - index
        for start, width, health in lane.runs(lanes.bin_s):
            axes.broken_barh([(start, width)], (y - 0.35, 0.7), facecolors=COLOURS[health], linewidth=0)
        result = summary.service(lane.service)
        verified = summary.since_start(result.verified_at if result else None)
        if verified is not None:
            axes.plot([verified], [y], marker="D", markersize=10, color="black", markeredgecolor="white")
    axes.set_yticks(range(rows), [lane.service for lane in reversed(lanes.lanes)], fontsize=12)
    axes.set_ylim(-0.6, rows - 0.4)
    axes.grid(axis="x", color="#cccccc", linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    handles: list[Patch | Line2D] = [Patch(color=COLOURS[h], label=LABELS[h]) for h in COLOURS]
    handles.append(Patch(color=PLAN, alpha=0.18, label="recovery plan"))
    handles.append(Line2D([], [], color=FAULT, linewidth=2, label="fault"))
    handles.append(
        Line2D([], [], marker="D", color="black", linestyle="", markersize=8, label="service verified back")
    )
    axes.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=7, fontsize=10, frameon=False
    )


def _draw_markers(strip: Axes, lanes: Axes, summary: Summary, span: float) -> None:
    strip.set_ylim(0, 1)
    strip.set_yticks([])
    strip.tick_params(axis="x", labelbottom=False, length=0)
    for side in ("top", "right", "left"):
        strip.spines[side].set_visible(False)
    plan = (summary.since_start(summary.plan_started_at), summary.since_start(summary.plan_ended_at))
    if plan[0] is not None:
        end = plan[1] if plan[1] is not None else span
        for axes in (strip, lanes):
            # behind the lanes, so that it shows between them without tinting their colours
            axes.axvspan(plan[0], end, color=PLAN, alpha=0.15, linewidth=0, zorder=0)
        strip.text(plan[0] + span * 0.005, 0.9, "recovery plan", color=PLAN, fontsize=11, va="center")
    fault = summary.since_start(summary.fault_at)
    if fault is not None:
        for axes in (strip, lanes):
            axes.axvline(fault, color=FAULT, linewidth=2)
        strip.text(
            fault - span * 0.005, 0.9, "fault", color=FAULT, fontsize=11, fontweight="bold", ha="right"
        )
    _draw_step_ticks(strip, lanes, summary, span)


def _draw_step_ticks(strip: Axes, lanes: Axes, summary: Summary, span: float) -> None:
    last_x = [float("-inf")] * len(STRIP_ROWS)
    for number, step in enumerate(summary.steps, 1):
        at = summary.since_start(step.ended_at)
        if at is None:
            continue
        colour = STEP_COLOURS[step.status]
        lanes.axvline(at, color=colour, linewidth=0.7, linestyle=(0, (2, 2)), alpha=0.7)
        row = next((r for r, x in enumerate(last_x) if at - x >= span * 0.022), number % len(STRIP_ROWS))
        last_x[row] = at
        strip.plot([at, at], [0, STRIP_ROWS[row]], color=colour, linewidth=0.7)
        strip.text(
            at,
            STRIP_ROWS[row],
            str(number),
            ha="center",
            va="center",
            fontsize=9,
            color="white",
            fontweight="bold",
            bbox={"boxstyle": "circle,pad=0.25", "facecolor": colour, "edgecolor": "none"},
        )


def _draw_step_legend(axes: Axes, steps: tuple[Step, ...]) -> None:
    axes.axis("off")
    if not steps:
        axes.text(0, 1, "no recovery steps", fontsize=11, va="top", color="#555555")
        return
    axes.text(0, 1, "recovery steps", fontsize=12, fontweight="bold", va="top")
    shown = steps[:MAX_LEGEND_STEPS]
    line = min(0.045, 0.92 / (len(shown) + 1))
    size, width = (10, 31) if len(shown) <= 16 else (8, 38)
    for number, step in enumerate(shown, 1):
        axes.text(
            0,
            0.95 - number * line,
            _legend_label(number, step, width),
            fontsize=size,
            va="top",
            color=STEP_COLOURS[step.status],
            family="monospace",
        )
    if len(steps) > len(shown):
        more = f"… and {len(steps) - len(shown)} more (see the steps table)"
        axes.text(0, 0.95 - (len(shown) + 1) * line, more, fontsize=size, va="top")


def _legend_label(number: int, step: Step, width: int) -> str:
    """ "NN  name (status)" cut to width characters, so that it stays inside the figure."""
    suffix = "" if step.status == "done" else f" ({step.status})"
    room = width - 4 - len(suffix)
    name = step.name if len(step.name) <= room else step.name[: room - 1] + "…"
    return f"{number:>2}  {name}{suffix}"
