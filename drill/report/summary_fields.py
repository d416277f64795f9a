"""Typed reads of the fields of summary.json; every error names the file and the field.

A field that is absent where it is optional, or null, reads as None or
empty; a field present with the wrong type is an error, never a guess.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from drill.errors import DrillError

FIX = "correct that field of summary.json, or run the experiment again so that it writes a whole summary"


class SummaryError(DrillError):
    """summary.json is missing, is not JSON or holds a field of the wrong type."""


class SummaryFields:
    """Typed reads of one JSON object of summary.json; each error names the file and the field."""

    def __init__(self, raw: object, where: str, source: Path) -> None:
        self.where = where
        self.source = source
        if not isinstance(raw, dict):
            raise self.error("", "an object", raw)
        self.raw = cast(dict[str, object], raw)

    def error(self, name: str, expected: str, found: object) -> SummaryError:
        """The error for a field that does not hold what it should."""
        field = f"{self.where}.{name}" if self.where and name else (self.where or name or "(top level)")
        return SummaryError(f"{self.source} field {field!r}: expected {expected}, found {found!r}", FIX)

    def _get(self, name: str, required: bool) -> object:
        if name not in self.raw and required:
            raise SummaryError(f"{self.source} lacks the field {self._path(name)!r}", FIX)
        return self.raw.get(name)

    def _path(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def text(self, name: str, required: bool = True) -> str:
        """A string field; an optional one that is absent or null reads as ""."""
        value = self._get(name, required)
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            raise self.error(name, "a string", value)
        return value

    def number(self, name: str, required: bool = True) -> float | None:
        """A number field (int or float, not bool); an optional one may be absent or null."""
        value = self._get(name, required)
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(name, "a number", value)
        return float(value)

    def time(self, name: str) -> float:
        """A required number field, such as started_at."""
        value = self.number(name)
        assert value is not None
        return value

    def count(self, name: str, required: bool = False) -> int | None:
        """A non-negative integer field; an optional one may be absent or null."""
        value = self._get(name, required)
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(name, "a whole number >= 0", value)
        return value

    def flag(self, name: str, required: bool = True) -> bool:
        """A boolean field; an optional one that is absent or null reads as False."""
        value = self._get(name, required)
        if value is None and not required:
            return False
        if not isinstance(value, bool):
            raise self.error(name, "true or false", value)
        return value

    def optional_flag(self, name: str) -> bool | None:
        """A boolean field that may be absent or null (None)."""
        value = self._get(name, False)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise self.error(name, "true, false or null", value)
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        """An optional list of strings; absent or null reads as empty."""
        values = self._list(name)
        if not all(isinstance(v, str) for v in values):
            raise self.error(name, "a list of strings", values)
        return tuple(cast(list[str], values))

    def child(self, name: str) -> SummaryFields | None:
        """An optional nested object, or None when absent or null."""
        value = self._get(name, False)
        return None if value is None else SummaryFields(value, self._path(name), self.source)

    def children(self, name: str) -> list[SummaryFields]:
        """An optional list of objects; absent or null reads as empty."""
        path = self._path(name)
        return [SummaryFields(v, f"{path}[{i}]", self.source) for i, v in enumerate(self._list(name))]

    def named_children(self, name: str) -> list[tuple[str, SummaryFields]]:
        """An optional object of objects, as (key, fields) pairs; absent or null reads as empty."""
        value = self._get(name, False)
        if value is None:
            return []
        if not isinstance(value, dict):
            raise self.error(name, "an object", value)
        return [(str(k), SummaryFields(v, f"{self._path(name)}.{k}", self.source)) for k, v in value.items()]

    def _list(self, name: str) -> list[object]:
        value = self._get(name, False)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(name, "a list", value)
        return cast(list[object], value)
