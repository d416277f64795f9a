"""The report: files written from a run folder, their content, and errors on a bad summary."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from drill.errors import DrillError
from drill.records.summary import load_summary
from drill.report import render_report
from drill.report.availability import availability
from drill.report.incident import incident_rows
from drill.workload.ledger import LedgerEntry, Status

T0 = 1_795_892_400.0  # 2026-11-28T19:00:00Z


def _summary(**changes: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "run_id": "gd-20261128T190000Z",
        "experiment": "storage-failure",
        "title": "The storage layer of nord-1 dies",
        "stack": "gameday",
        "started_at": T0,
        "ended_at": T0 + 60.0,
        "fault_at": T0 + 10.0,
        "plan_started_at": T0 + 12.0,
        "plan_ended_at": T0 + 40.0,
        "passed": True,
        "reasons": [],
        "negative_control": False,
        "intranet_requests": 120,
        "intranet_failed_requests": 0,
        "services": {
            "mail": _service(rto_s=35.5, acked=30, verified_at=T0 + 45.5),
            "appointments": _service(rto_s=28.25, acked=40, unknown=1, verified_at=T0 + 38.25),
            "lab": _service(rto_s=20.0, acked=25, verified_at=T0 + 30.0),
            "intranet": _service(rto_s=None, target_rto_s=None, acked=0, verified_at=None),
        },
        "stat": {"delivered_within_s": 4.2, "target_s": 30.0, "count": 3},
        "steps": [
            _step("1 declare", "stop-dependents", 12.0, 13.0),
            _step("2 restore", "restore-appointments-db", 13.0, 30.0),
            _step("3 resume", "verify-all", 30.0, 40.0),
        ],
        "cannot_restore": [],
    }
    summary.update(changes)
    return summary


def _service(**changes: Any) -> dict[str, Any]:
    service: dict[str, Any] = {
        "rto_s": 30.0,
        "target_rto_s": 120.0,
        "acked": 10,
        "lost": 0,
        "unexpected": 0,
        "unknown": 0,
        "restored": True,
        "verified_at": T0 + 40.0,
    }
    service.update(changes)
    return service


def _step(group: str, name: str, start: float, end: float) -> dict[str, Any]:
    return {
        "group": group,
        "name": name,
        "started_at": T0 + start,
        "ended_at": T0 + end,
        "seconds": end - start,
        "status": "done",
        "detail": f"{name} went well",
    }


LEDGER: list[tuple[float, str, str, str, Status]] = [
    (1.0, "appointments", "book", "b0", "invoked"),
    (1.2, "appointments", "book", "b0", "ok"),
    (11.0, "appointments", "book", "b1", "invoked"),
    (11.5, "appointments", "book", "b1", "failed"),
    (3.0, "mail", "read", "staff1@chu.test", "invoked"),
    (3.1, "mail", "read", "staff1@chu.test", "unknown"),
    (5.0, "lab", "send", "r0", "invoked"),
    (5.2, "lab", "send", "r0", "ok"),
    (7.0, "intranet", "read", "/directory", "invoked"),
    (7.1, "intranet", "read", "/directory", "ok"),
    (8.0, "pharmacy", "read", "p0", "invoked"),
    (8.1, "pharmacy", "read", "p0", "ok"),
]


def _run_dir(tmp_path: Path, summary: dict[str, Any]) -> Path:
    run_dir = tmp_path / "gd-20261128T190000Z"
    run_dir.mkdir()
    (run_dir / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    lines = [
        json.dumps({"at": T0 + at, "service": s, "op": op, "key": key, "status": status, "detail": ""})
        for at, s, op, key, status in LEDGER
    ]
    (run_dir / "ledger.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return run_dir


def test_a_run_folder_gets_markdown_html_and_a_readable_timeline(tmp_path: Path) -> None:
    run_dir = _run_dir(tmp_path, _summary())
    written = render_report(run_dir)
    assert [p.name for p in written] == ["report.md", "report.html", "timeline.png"]
    assert all(p.is_file() and p.stat().st_size > 0 for p in written)
    with Image.open(run_dir / "timeline.png") as image:
        assert image.format == "PNG"
        assert image.width > 1000 and 400 < image.height < 1000
    markdown = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "PASSED" in markdown and "FAILED" not in markdown
    assert "![timeline of the run](timeline.png)" in markdown
    assert "| appointments | 28.2 s | 120.0 s | yes | yes |" in markdown
    assert "| appointments | 40 | 0 | 0 | 1 |" in markdown
    assert "| intranet | — | — | — | yes |" in markdown
    assert "120 requests during the run, 0 failed." in markdown
    assert "3 urgent results delivered within 4.2 s" in markdown
    step = "| 2 | 2 restore | restore-appointments-db | done | 17.0 s | restore-appointments-db went well |"
    assert step in markdown
    assert "Cannot restore" not in markdown
    audit_rows = [markdown.index(row) for row in ("| appointments | 40", "| lab | 25", "| mail | 30")]
    assert audit_rows == sorted(audit_rows)


def test_a_failed_negative_control_shows_its_verdict_reasons_banner_and_lost_rows(tmp_path: Path) -> None:
    services = _summary()["services"]
    services["mail"] = _service(acked=30, lost=1)
    summary = _summary(
        passed=False,
        negative_control=True,
        reasons=["mail: 1 acknowledged message lost"],
        services=services,
        cannot_restore=["appointments database: no base backup in the vault"],
    )
    render_report(_run_dir(tmp_path, summary))
    markdown = (tmp_path / "gd-20261128T190000Z" / "report.md").read_text(encoding="utf-8")
    assert "## FAILED" in markdown
    assert "- mail: 1 acknowledged message lost" in markdown
    assert "NEGATIVE CONTROL" in markdown
    assert "| ⚠ mail | 30 | 1 | 0 | 0 |" in markdown
    assert "- appointments database: no base backup in the vault" in markdown
    page = (tmp_path / "gd-20261128T190000Z" / "report.html").read_text(encoding="utf-8")
    assert 'class="verdict failed">FAILED' in page
    assert '<tr class="bad"><td>⚠ mail</td><td>30</td><td>1</td>' in page


def test_the_html_page_is_self_contained(tmp_path: Path) -> None:
    run_dir = _run_dir(tmp_path, _summary(title="<b>Rooms & storage</b>"))
    render_report(run_dir)
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert re.search(r'<img [^>]*src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"', page)
    assert not re.search(r"https?://", page)
    assert "<script" not in page.lower()
    assert "&lt;b&gt;Rooms &amp; storage&lt;/b&gt;" in page


def test_a_summary_with_nulls_and_no_plan_renders(tmp_path: Path) -> None:
    summary = _summary(
        fault_at=None,
        plan_started_at=None,
        plan_ended_at=None,
        steps=[],
        stat=None,
        intranet_requests=None,
        intranet_failed_requests=None,
        services={
            "lab": _service(rto_s=None, target_rto_s=None, verified_at=None, restored=None),
            "mail": _service(rto_s=None, verified_at=None, restored=False),
        },
    )
    run_dir = _run_dir(tmp_path, summary)
    render_report(run_dir)
    markdown = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "No recovery plan ran in this run." in markdown
    assert "- **Fault:** none injected" in markdown
    assert "| lab | — | — | — | — |" in markdown
    assert "| ⚠ mail | — | 120.0 s | no | no |" in markdown


def test_a_malformed_summary_names_the_field(tmp_path: Path) -> None:
    services = {"appointments": _service(acked="forty")}
    run_dir = _run_dir(tmp_path, _summary(services=services))
    with pytest.raises(DrillError, match=r"services\.appointments\.acked") as error:
        render_report(run_dir)
    assert "summary.json" in str(error.value) and error.value.fix


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("{not json", "is not JSON"),
        (json.dumps({k: v for k, v in _summary().items() if k != "passed"}), "passed"),
        (json.dumps(_summary(started_at="soon")), "started_at"),
        (json.dumps(_summary(ended_at=T0 - 1)), "ended_at"),
        (json.dumps(_summary(steps=[{"name": "x", "status": "maybe"}])), r"steps\[0\]\.status"),
    ],
)
def test_a_bad_summary_is_an_error_naming_what_is_wrong(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "summary.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DrillError, match=field):
        load_summary(path)


def test_a_missing_summary_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(DrillError, match=r"summary\.json"):
        render_report(tmp_path)


def test_incident_rows_do_not_hold_when_a_service_lost_a_write(tmp_path: Path) -> None:
    services = _summary()["services"]
    services["appointments"] = _service(acked=40, lost=1)
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(_summary(services=services)), encoding="utf-8")
    rows = {row.fact: row for row in incident_rows(load_summary(path))}
    lost = rows["Nothing the systems had acknowledged was lost"]
    assert lost.held is False
    assert lost.this_run == "1 of 95 acknowledged writes lost (appointments 1)"
    assert rows["Appointment booking was suspended, then restored"].held is False
    assert rows["The intranet (directory, on-call roster, procedures) stayed up, with no disruption"].held


def test_incident_rows_of_a_clean_run_all_hold(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(_summary()), encoding="utf-8")
    rows = incident_rows(load_summary(path))
    assert len(rows) == 7 and all(row.held for row in rows)
    assert "3 of 3 steps completed in 28.0 s; 4 of 4 services restored" in [r.this_run for r in rows]


def test_availability_bins_outcomes_per_service_in_order() -> None:
    entries = [LedgerEntry(T0 + at, s, op, key, status) for at, s, op, key, status in LEDGER]
    lanes = availability(entries, T0, T0 + 12.0)
    assert lanes.bin_s == 2.0
    health = {lane.service: lane.health for lane in lanes.lanes}
    assert list(health) == ["appointments", "lab", "mail", "intranet", "pharmacy"]
    assert health["appointments"] == ("ok", "idle", "idle", "idle", "idle", "failed")
    assert health["mail"][1] == "mixed"
    assert health["intranet"][3] == "ok"
