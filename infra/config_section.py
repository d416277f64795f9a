"""Reading one section of the stack config (`hospital-drp:<section>`), field by field.

Each reader checks its field and raises ConfigError naming the key and the
fix; `finish` refuses fields nobody read, so a typo never passes silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from infra.errors import ConfigError

# A stack's or a room's name: lower case, a letter first, at most 31 characters.
NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")


def ensure_mapping(value: object, key: str) -> Mapping[str, object]:
    """Return value, the config value at key, when it is a mapping; raise ConfigError otherwise."""
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{key} is missing or not a mapping", f"set {key} in the stack's Pulumi.<stack>.yaml"
        )
    return value


class Section:
    """The fields of one config section, checked as they are read."""

    def __init__(self, name: str, raw: object, rooms: Sequence[str]) -> None:
        self.key = f"hospital-drp:{name}"
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{self.key} is not a mapping", f"write {self.key} as `field: value` lines")
        self.raw: Mapping[str, object] = raw
        self.rooms = list(rooms)
        self.read: set[str] = set()

    def _get(self, field: str, default: object) -> object:
        self.read.add(field)
        value = self.raw.get(field, default)
        if value is None:
            raise ConfigError(
                f"{self.key}.{field} is missing", f"set {self.key}.{field} in Pulumi.<stack>.yaml"
            )
        return value

    def room(self, field: str, default: str | None = None) -> str:
        """A room name that hospital-drp:rooms defines."""
        value = self._get(field, default)
        if value not in self.rooms:
            raise ConfigError(
                f"{self.key}.{field} names unknown room {value!r}",
                f"use one of the rooms in hospital-drp:rooms: {', '.join(self.rooms)}",
            )
        return str(value)

    def integer(self, field: str, default: int | None, low: int, high: int) -> int:
        """A whole number from low to high."""
        value = self._get(field, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ConfigError(
                f"{self.key}.{field} {value!r} is not a whole number from {low} to {high}",
                f"set e.g. `{field}: {default if default is not None else low}`",
            )
        return value

    def port(self, field: str, default: int | None = None) -> int:
        """A TCP port to publish on 127.0.0.1 (1024 to 65535)."""
        return self.integer(field, default, 1024, 65535)

    def number(self, field: str, default: float, low: float, high: float) -> float:
        """A number from low to high."""
        value = self._get(field, default)
        if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
            raise ConfigError(
                f"{self.key}.{field} {value!r} is not a number from {low:g} to {high:g}",
                f"set e.g. `{field}: {default:g}`",
            )
        return float(value)

    def fraction(self, field: str, default: float) -> float:
        """A number from 0 to 1."""
        return self.number(field, default, 0.0, 1.0)

    def text(self, field: str, default: str) -> str:
        """A non-empty string."""
        value = self._get(field, default)
        if not isinstance(value, str) or not value:
            raise ConfigError(
                f"{self.key}.{field} {value!r} is not a non-empty string", f"set e.g. `{field}: {default}`"
            )
        return value

    def flag(self, field: str, default: bool) -> bool:
        """A yes/no value (YAML true or false)."""
        value = self._get(field, default)
        if not isinstance(value, bool):
            raise ConfigError(f"{self.key}.{field} {value!r} is not true or false", f"set `{field}: false`")
        return value

    def finish(self) -> None:
        """Refuse any field that no reader asked for."""
        unknown = sorted(set(self.raw) - self.read)
        if unknown:
            raise ConfigError(
                f"{self.key} has unknown field {unknown[0]!r}",
                f"remove it; known fields are {', '.join(sorted(self.read))}",
            )
