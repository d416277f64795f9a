"""The report's content, once, as sections of text, tables and lists; markdown and HTML render it alike.

Building the content apart from its two renderings is what keeps report.md
and report.html saying the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from drill.records.plan import Damage
from drill.records.summary import GamedaySummary as Summary
from drill.report.incident import incident_rows, seconds, stat_delivery

Tone = Literal["plain", "good", "bad"]
MARK = "⚠ "
NEGATIVE_CONTROL = (
    "NEGATIVE CONTROL: this run is meant to show loss. It restores on purpose without the last "
    "write-ahead log, so acknowledged writes are expected to be lost: the audit must catch them."
)
HELD: dict[bool | None, tuple[str, Tone]] = {
    True: ("held", "good"),
    False: ("NOT\u00a0held", "bad"),  # no-break space: one line in a narrow column
    None: ("not measured", "plain"),
}


@dataclass(frozen=True)
class Row:
    """One table row; a bad row is marked, and coloured where the format can."""

    cells: tuple[str, ...]
    tone: Tone = "plain"


@dataclass(frozen=True)
class Table:
    """A table: its column headers and rows."""

    headers: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Section:
    """A titled part of the report: paragraphs, then a table or a list, or the timeline figure."""

    title: str
    text: tuple[str, ...] = ()
    table: Table | None = None
    items: tuple[str, ...] = ()
    figure: bool = False


@dataclass(frozen=True)
class Document:
    """The whole report: a header of facts and the verdict, then its sections."""

    heading: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    passed: bool
    reasons: tuple[str, ...]
    negative_control: bool
    sections: tuple[Section, ...]

    @property
    def verdict(self) -> str:
        """PASSED or FAILED."""
        return "PASSED" if self.passed else "FAILED"


def build_document(summary: Summary) -> Document:
    """The report's content for one run's summary."""
    return Document(
        heading=f"Game day: {summary.experiment}",
        subtitle=summary.title,
        facts=_facts(summary),
        passed=summary.passed,
        reasons=summary.reasons,
        negative_control=summary.negative_control,
        sections=(
            _timeline(summary),
            _rto(summary),
            _audit(summary),
            _intranet(summary),
            _stat(summary),
            *((_damage(summary.damage),) if summary.damage else ()),
            _steps(summary),
            *((Section("Cannot restore", items=summary.cannot_restore),) if summary.cannot_restore else ()),
            _incident(summary),
        ),
    )


def duration(value: float) -> str:
    """A duration for people: "45.2 s", "3 min 20 s" or "1 h 02 min"."""
    if value < 60:
        return f"{value:.1f} s"
    whole = round(value)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def utc(at: float) -> str:
    """An epoch time as an ISO 8601 UTC timestamp to the second, such as 2026-11-28T19:00:00Z."""
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _offset(summary: Summary, at: float | None) -> str:
    since = summary.since_start(at)
    return "—" if since is None else f"+{since:.1f} s"


def _yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "—"}[value]


def _facts(summary: Summary) -> tuple[tuple[str, str], ...]:
    plan = "did not run"
    if summary.plan_started_at is not None:
        plan = f"{_offset(summary, summary.plan_started_at)} → {_offset(summary, summary.plan_ended_at)}"
        if summary.plan_ended_at is not None:
            plan += f" ({duration(summary.plan_ended_at - summary.plan_started_at)})"
    return (
        ("Experiment", summary.experiment),
        ("Run", summary.run_id),
        ("Stack", summary.stack or "—"),
        ("Started", utc(summary.started_at)),
        ("Duration", duration(summary.duration_s)),
        ("Fault", "none injected" if summary.fault_at is None else _offset(summary, summary.fault_at)),
        ("Recovery plan", plan),
    )


def _timeline(summary: Summary) -> Section:
    return Section(
        "Timeline",
        text=(
            "One lane per service, from the ledger's outcomes: green all ok, red all failed, "
            "amber mixed or unknown, grey no operation. The red line is the fault, the blue span "
            "the recovery plan, the numbered markers its steps, the diamonds each service verified back.",
        ),
        figure=True,
    )


def _rto(summary: Summary) -> Section:
    rows = []
    for name, s in summary.results:
        within = s.within_target
        cells = (name, seconds(s.rto_s), seconds(s.target_rto_s), _yes_no(within), _yes_no(s.restored))
        rows.append(_row(cells, within is False or s.restored is False))
    return Section(
        "Recovery time (RTO)",
        text=("Measured from the fault to the moment each service was verified back.",),
        table=Table(("service", "RTO", "target", "within target", "restored"), tuple(rows)),
    )


def _audit(summary: Summary) -> Section:
    rows = [
        _row(
            (name, str(s.acked), str(s.lost), str(s.unexpected), str(s.unknown)),
            s.lost > 0 or s.unexpected > 0,
        )
        for name, s in summary.results
    ]
    return Section(
        "Audit",
        text=(
            "acked: writes the service acknowledged; lost: acknowledged but missing at the final read; "
            "unexpected: present but never attempted; "
            "unknown: outcome unknown (present or not, both are correct).",
        ),
        table=Table(("service", "acked", "lost", "unexpected", "unknown"), tuple(rows)),
    )


def _intranet(summary: Summary) -> Section:
    requests, failed = summary.intranet_requests, summary.intranet_failed_requests
    if requests is None:
        return Section("Intranet", text=("No intranet requests were counted in this run.",))
    return Section("Intranet", text=(f"{requests} requests during the run, {failed or 0} failed.",))


def _stat(summary: Summary) -> Section:
    stat = summary.stat
    if stat is None or stat.count == 0:
        return Section("Urgent (STAT) lab results", text=("No urgent lab result was sent in this run.",))
    line = stat_delivery(stat) + "."
    verdict = {True: "Within target.", False: "NOT within target.", None: ""}[stat.held]
    return Section("Urgent (STAT) lab results", text=(f"{line} {verdict}".strip(),))


def _damage(damage: Damage) -> Section:
    return Section(
        "How the damage was judged",
        text=(
            damage.summary[:1].upper() + damage.summary[1:] + ".",
            f"Judged {damage.judged_by}.",
            "What the services saw last:",
        ),
        items=tuple(sighting.line for sighting in damage.evidence),
    )


def _steps(summary: Summary) -> Section:
    if not summary.steps:
        return Section("Recovery steps", text=("No recovery plan ran in this run.",))
    rows = [
        _row(
            (str(n), s.group, s.name, s.status, seconds(s.seconds), s.detail),
            s.status == "failed",
            mark_column=2,
        )
        for n, s in enumerate(summary.steps, 1)
    ]
    return Section(
        "Recovery steps",
        text=("Numbered as in the timeline.",),
        table=Table(("#", "group", "step", "status", "seconds", "detail"), tuple(rows)),
    )


def _incident(summary: Summary) -> Section:
    rows = []
    for row in incident_rows(summary):
        word, tone = HELD[row.held]
        rows.append(Row((row.fact, row.this_run, word), tone))
    return Section(
        "The incident beside this run",
        text=(
            "Each fact of the storage-network failure at CHU de Saint-Étienne (7 to 11 November), "
            "and what this run showed of it.",
        ),
        table=Table(("in the incident", "this run", "held"), tuple(rows)),
    )


def _row(cells: tuple[str, ...], bad: bool, mark_column: int = 0) -> Row:
    if not bad:
        return Row(cells)
    marked = tuple(MARK + c if i == mark_column else c for i, c in enumerate(cells))
    return Row(marked, "bad")
