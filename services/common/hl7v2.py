r"""HL7 v2 encoding: the delimiters a message declares, escape sequences, a message split into segments.

Standard library only. A message is read with the delimiters its MSH-1 and
MSH-2 declare (the standard ``|^~\&`` for any that MSH-2 leaves out); they
must be five distinct characters, none an ASCII letter or digit (escape
sequences are written with those), or the message cannot be split without
ambiguity.

Values are read unescaped: \F\ \S\ \T\ \R\ \E\ and hexadecimal \Xhh..\
(UTF-8 bytes) become the characters they stand for. A sequence this module
does not know (FT's formatting such as \.br\, highlighting \H\ \N\) and an
escape character without its closing one are kept as written: a value is
never silently shortened.

A field may repeat (~). Where one value is wanted (an identifier, a code),
`Delimiters.value` reads the first repetition, and in it one component's
first subcomponent; a caller that needs every repetition splits the field
itself (`repetitions`, `components`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

SEGMENT_BREAK = re.compile(r"[\r\n]+")
STANDARD_ENCODING = "^~\\&"


class EncodingError(ValueError):
    """The text cannot be split as HL7 v2: no MSH segment first, or delimiters that collide."""


@dataclass(frozen=True)
class Delimiters:
    """The five characters that structure a message, as MSH-1 and MSH-2 declare them."""

    field_sep: str = "|"
    component_sep: str = "^"
    repetition_sep: str = "~"
    escape_char: str = "\\"
    subcomponent_sep: str = "&"

    def __post_init__(self) -> None:
        chars = (
            self.field_sep,
            self.component_sep,
            self.repetition_sep,
            self.escape_char,
            self.subcomponent_sep,
        )
        # Escape sequences are written with ASCII letters and digits: a delimiter may not be one.
        unusable = [c for c in chars if len(c) != 1 or c in "\r\n" or (c.isascii() and c.isalnum())]
        if unusable or len(set(chars)) != len(chars):
            raise EncodingError(
                f"MSH-1 and MSH-2 declare the delimiters {''.join(chars)!r}:"
                " five distinct characters are needed, none a letter, a digit or a line break"
            )

    @classmethod
    def declared_by(cls, msh: str) -> Delimiters:
        """The delimiters an MSH segment's text declares; raises EncodingError when they collide."""
        field_sep = msh[3]
        declared = msh[4:].split(field_sep, 1)[0][:4]
        chars = declared + STANDARD_ENCODING[len(declared) :]
        return cls(field_sep, chars[0], chars[1], chars[2], chars[3])

    def escape(self, text: str) -> str:
        """text as a value in a field: every delimiter and line break as its escape sequence."""
        pattern, sequences = _escaping(self)
        return pattern.sub(lambda m: sequences[m.group()], text)

    def unescape(self, text: str) -> str:
        """The characters an escaped value stands for (the reverse of escape; unknown sequences kept)."""
        if self.escape_char not in text:
            return text
        return _unescaping(self).sub(self._plain, text)

    def _plain(self, match: re.Match[str]) -> str:
        code = match.group(1)
        if code.startswith("X"):
            try:
                return bytes.fromhex(code[1:]).decode("utf-8")
            except UnicodeDecodeError:
                return match.group()
        return {
            "F": self.field_sep,
            "S": self.component_sep,
            "T": self.subcomponent_sep,
            "R": self.repetition_sep,
            "E": self.escape_char,
        }[code]

    def repetitions(self, field: str) -> list[str]:
        """A field's repetitions, as written."""
        return field.split(self.repetition_sep)

    def components(self, text: str) -> list[str]:
        """A repetition's components, as written."""
        return text.split(self.component_sep)

    def value(self, field: str, component: int = 1) -> str:
        """Component `component` (1-based) of a field's first repetition: its first subcomponent, unescaped.

        How an identifier or a code is read: a repeated field counts by its
        first repetition. "" when the field has no such component.
        """
        parts = self.components(self.repetitions(field)[0])
        if component > len(parts):
            return ""
        return self.unescape(parts[component - 1].split(self.subcomponent_sep, 1)[0])


@functools.lru_cache(maxsize=16)
def _escaping(delimiters: Delimiters) -> tuple[re.Pattern[str], dict[str, str]]:
    esc = delimiters.escape_char
    codes = {
        esc: "E",
        delimiters.field_sep: "F",
        delimiters.component_sep: "S",
        delimiters.subcomponent_sep: "T",
        delimiters.repetition_sep: "R",
        "\r": "X0D",
        "\n": "X0A",
    }
    pattern = re.compile("[" + "".join(re.escape(c) for c in codes) + "]")
    return pattern, {plain: f"{esc}{code}{esc}" for plain, code in codes.items()}


@functools.lru_cache(maxsize=16)
def _unescaping(delimiters: Delimiters) -> re.Pattern[str]:
    esc = re.escape(delimiters.escape_char)
    return re.compile(f"{esc}([FSTRE]|X(?:[0-9A-Fa-f]{{2}})+){esc}")


STANDARD = Delimiters()


@dataclass(frozen=True)
class Segment:
    """One segment's fields as written (still escaped), numbered as HL7 counts: fields[1] is field 1.

    In MSH, fields[1] is the field separator itself (MSH-1) and fields[2]
    the encoding characters (MSH-2), so that MSH-10 is fields[10].
    """

    fields: tuple[str, ...]

    @property
    def name(self) -> str:
        """The segment's id (MSH, PID, OBX...)."""
        return self.fields[0]

    def field(self, index: int) -> str:
        """Field `index` as written, or "" when the segment is shorter."""
        return self.fields[index] if 0 < index < len(self.fields) else ""


@dataclass(frozen=True)
class Message:
    """A message split into segments and fields, with the delimiters its MSH declares."""

    delimiters: Delimiters
    segments: tuple[Segment, ...]

    @property
    def header(self) -> Segment:
        """The MSH segment."""
        return self.segments[0]

    def all(self, name: str) -> list[Segment]:
        """Every segment named name, in order."""
        return [s for s in self.segments if s.name == name]

    def first(self, name: str) -> Segment | None:
        """The first segment named name, or None."""
        return next((s for s in self.segments if s.name == name), None)


def split_message(text: str) -> Message:
    """text split into segments (at CR or LF; blank lines dropped) and each segment into fields.

    Raises EncodingError when the first segment is not an MSH segment that
    declares its delimiters, or when they collide.
    """
    lines = [line for line in SEGMENT_BREAK.split(text) if line]
    if not lines or not lines[0].startswith("MSH") or len(lines[0]) < 8:
        raise EncodingError("the message does not start with an MSH segment")
    delimiters = Delimiters.declared_by(lines[0])
    sep = delimiters.field_sep
    header = Segment(("MSH", sep, *lines[0][4:].split(sep)))
    return Message(delimiters, (header, *(Segment(tuple(line.split(sep))) for line in lines[1:])))
