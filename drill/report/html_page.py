"""report.html: the report's document as one self-contained page.

Inline CSS, the timeline embedded as a base64 data URI, no script and no
external asset, so the file can be mailed or archived on its own.
"""

from __future__ import annotations

import base64
from html import escape

from drill.report.document import NEGATIVE_CONTROL, Document, Section, Table

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1d1d1f;
       max-width: 1320px; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; font-size: 2rem; }
h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.3rem; font-size: 1.35rem; }
.subtitle { font-size: 1.2rem; color: #444; margin-top: 0; font-style: italic; }
.verdict { display: inline-block; font-size: 2.4rem; font-weight: 800; letter-spacing: 0.08em;
           padding: 0.3rem 1.4rem; border-radius: 8px; color: #fff; margin: 0.8rem 0; }
.verdict.passed { background: #2e9d4f; }
.verdict.failed { background: #c62828; }
.reasons { color: #8e1b1b; font-weight: 600; }
.banner { background: #fff4d6; border: 2px solid #e0a100; border-radius: 8px; padding: 0.8rem 1.1rem;
          font-weight: 700; color: #6b4b00; margin: 1rem 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1.2rem; margin: 1rem 0; }
dl.facts dt { font-weight: 600; color: #555; }
dl.facts dd { margin: 0; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.95rem; }
th, td { border: 1px solid #d0d0d0; padding: 0.35rem 0.7rem; text-align: left; vertical-align: top; }
th { background: #f2f4f7; }
tr.bad td { background: #fde2e2; color: #7a1010; font-weight: 600; }
tr.good td:last-child { background: #e3f4e7; color: #1c5e2e; font-weight: 600; }
img.timeline { width: 100%; height: auto; border: 1px solid #ddd; }
.note { color: #555; }
"""


def render_html(document: Document, timeline_png: bytes) -> str:
    """The document as an HTML page with the timeline PNG embedded; returns the page's text."""
    image = "data:image/png;base64," + base64.b64encode(timeline_png).decode("ascii")
    verdict = document.verdict
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(document.heading)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(document.heading)}</h1>",
    ]
    if document.subtitle:
        parts.append(f'<p class="subtitle">{escape(document.subtitle)}</p>')
    if document.negative_control:
        parts.append(f'<div class="banner">{escape(NEGATIVE_CONTROL)}</div>')
    parts.append(f'<div class="verdict {verdict.lower()}">{verdict}</div>')
    if document.reasons:
        items = "".join(f"<li>{escape(r)}</li>" for r in document.reasons)
        parts.append(f'<p class="reasons">Why it did not pass:</p><ul class="reasons">{items}</ul>')
    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in document.facts)
    parts.append(f'<dl class="facts">{facts}</dl>')
    parts += [_section(section, image) for section in document.sections]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _section(section: Section, image: str) -> str:
    parts = [f"<section><h2>{escape(section.title)}</h2>"]
    note = ' class="note"' if section.figure or section.table is not None else ""
    parts += [f"<p{note}>{escape(paragraph)}</p>" for paragraph in section.text]
    if section.figure:
        parts.append(f'<img class="timeline" alt="timeline of the run" src="{image}">')
    if section.table is not None:
        parts.append(_table(section.table))
    if section.items:
        parts.append("<ul>" + "".join(f"<li>{escape(item)}</li>" for item in section.items) + "</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
    rows = []
    for row in table.rows:
        cells = "".join(f"<td>{escape(c)}</td>" for c in row.cells)
        tone = f' class="{row.tone}"' if row.tone != "plain" else ""
        rows.append(f"<tr{tone}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
