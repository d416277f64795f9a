"""What every record shares: frozen, written as indented JSON, read back strictly, errors naming the field."""

from __future__ import annotations

from pathlib import Path
from typing import Self

import pydantic

from drill.errors import RecordError


class Record(pydantic.BaseModel):
    """A record of a run: fields a file may lack have defaults; fields we do not know are left out."""

    model_config = pydantic.ConfigDict(frozen=True, extra="ignore")

    @classmethod
    def read(cls, path: Path, fix: str) -> Self:
        """Read the record at path; raises RecordError naming the file (and the field), with fix."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RecordError(f"cannot read {path} ({exc.strerror or exc})", fix) from exc
        return cls.from_text(text, path, fix)

    @classmethod
    def from_text(cls, text: str, source: Path, fix: str) -> Self:
        """The record in text (read from source); raises RecordError naming source and the field."""
        try:
            return cls.model_validate_json(text, strict=True)
        except pydantic.ValidationError as exc:
            raise RecordError(f"{source}: {describe(exc)}", fix) from exc

    def write(self, path: Path) -> None:
        """Write the record as indented JSON (its folder made when missing)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")


def describe(error: pydantic.ValidationError) -> str:
    """What is wrong, field by field: `field 'steps[0].status': expected ..., found 'maybe'`."""
    said = []
    for problem in error.errors(include_url=False)[:5]:
        where = field_path(problem["loc"])
        if problem["type"] == "json_invalid":
            said.append(f"is not JSON ({problem['msg']})")
        elif problem["type"] == "value_error":
            said.append(problem["msg"].removeprefix("Value error, "))
        elif problem["type"] == "missing":
            said.append(f"lacks the field {where!r}")
        else:
            said.append(f"field {where!r}: {problem['msg'].lower()}, found {problem.get('input')!r}")
    more = len(error.errors()) - len(said)
    return "; ".join(said) + (f" (and {more} more)" if more > 0 else "")


def field_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as a path: ("steps", 0, "status") -> steps[0].status."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"
