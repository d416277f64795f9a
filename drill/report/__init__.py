"""A game day's report, rendered from a run folder's summary.json and ledger.jsonl.

Writes report.md, report.html (self-contained) and timeline.png beside them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from drill.records.summary import load_summary
from drill.report.availability import availability
from drill.report.document import build_document
from drill.report.html_page import render_html
from drill.report.markdown_page import render_markdown
from drill.report.timeline import draw_timeline
from drill.workload.ledger import read_ledger

__all__ = ["render_report"]

log = logging.getLogger(__name__)

SUMMARY = "summary.json"
LEDGER = "ledger.jsonl"
TIMELINE = "timeline.png"


def render_report(run_dir: Path) -> list[Path]:
    """Render the report of the run in run_dir; return the paths written (md, html, png).

    Raises RecordError when summary.json is missing or malformed, and
    LedgerError when ledger.jsonl is unreadable or holds a malformed line.
    """
    summary = load_summary(run_dir / SUMMARY)
    entries = list(read_ledger(run_dir / LEDGER))
    lanes = availability(entries, summary.started_at, summary.ended_at, list(summary.services))
    png = draw_timeline(summary, lanes, run_dir / TIMELINE)
    document = build_document(summary)
    markdown = run_dir / "report.md"
    markdown.write_text(render_markdown(document, TIMELINE), encoding="utf-8")
    page = run_dir / "report.html"
    page.write_text(render_html(document, png.read_bytes()), encoding="utf-8")
    log.info("report of %s written to %s", summary.run_id, run_dir)
    return [markdown, page, png]
