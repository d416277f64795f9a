"""report.md: the report's document as GitHub-flavoured markdown, linking timeline.png beside it."""

from __future__ import annotations

from drill.report.document import NEGATIVE_CONTROL, Document, Section, Table


def render_markdown(document: Document, image_name: str) -> str:
    """The document as markdown; the timeline section links the image file image_name."""
    lines = [f"# {document.heading}", ""]
    if document.subtitle:
        lines += [f"*{_inline(document.subtitle)}*", ""]
    if document.negative_control:
        lines += [f"> **{NEGATIVE_CONTROL}**", ""]
    lines += [f"## {document.verdict}", ""]
    if document.reasons:
        # the rule keeps the reasons and the facts below from merging into one list
        lines += ["Why it did not pass:", "", *(f"- {_inline(r)}" for r in document.reasons), "", "---", ""]
    lines += [*(f"- **{name}:** {_inline(value)}" for name, value in document.facts), ""]
    for section in document.sections:
        lines += _section(section, image_name)
    return "\n".join(lines).rstrip() + "\n"


def _section(section: Section, image_name: str) -> list[str]:
    lines = [f"## {section.title}", ""]
    for paragraph in section.text:
        lines += [_inline(paragraph), ""]
    if section.figure:
        lines += [f"![timeline of the run]({image_name})", ""]
    if section.table is not None:
        lines += [*_table(section.table), ""]
    if section.items:
        lines += [*(f"- {_inline(item)}" for item in section.items), ""]
    return lines


def _table(table: Table) -> list[str]:
    lines = [_cells(table.headers), "|" + "|".join(" --- " for _ in table.headers) + "|"]
    lines += [_cells(row.cells) for row in table.rows]
    return lines


def _cells(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(_inline(c).replace("|", "\\|") for c in cells) + " |"


def _inline(text: str) -> str:
    return " ".join(text.split())
