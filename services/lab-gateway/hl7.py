"""HL7 v2.5 ORU^R01 over MLLP: framing, parsing, validation and acknowledgements.

Standard library only. The gateway accepts ORU^R01 (observation results)
and answers each with an ACK: AA (accepted: journaled), AE (error in the
message: a segment or field is missing or malformed) or AR (rejected: not a
message type or version this gateway takes).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass

START, END, CR = b"\x0b", b"\x1c", b"\x0d"
MAX_MESSAGE = 1024 * 1024
VERSIONS = ("2.5", "2.5.1")
_ack_ids = itertools.count(1)


class Refused(Exception):
    """A message the gateway does not accept; code is AE or AR, reason says why."""

    def __init__(self, code: str, reason: str, control_id: str = "") -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.control_id = control_id


class FramingError(Exception):
    """The byte stream is not MLLP: the connection cannot be trusted any more."""


class Oversize(FramingError):
    """A frame over MAX_MESSAGE: answered AR stating the limit, then the connection closes.

    head holds the frame's first bytes (its MSH segment names the message).
    """

    def __init__(self, head: bytes) -> None:
        super().__init__(f"message over {MAX_MESSAGE} bytes")
        self.head = head

    def refusal(self) -> Refused:
        """The AR that answers the oversized message, with its control id when its MSH shows one."""
        control_id = ""
        first = self.head.split(b"\r", 1)[0].decode("utf-8", "replace")
        if first.startswith("MSH") and len(first) > 8:
            control_id = field([first[:3], first[3], *first[4:].split(first[3])], 10)
        return Refused(
            "AR",
            f"the message is over the size limit of {MAX_MESSAGE} bytes: split it or send less per message",
            control_id,
        )


@dataclass(frozen=True)
class Result:
    """One accepted ORU^R01: its key (MSH-10), who and what it is about, how urgent."""

    control_id: str
    patient: str
    order: str
    priority: str
    observations: tuple[tuple[str, str, str], ...]
    sender: str
    raw: str

    @property
    def is_stat(self) -> bool:
        """STAT results (priority S) are delivered before routine ones."""
        return self.priority == "S"


def read_frame(buffer: bytearray, chunk: bytes) -> list[bytes]:
    """Add chunk to buffer and return the complete MLLP payloads it now holds.

    Raises FramingError on bytes outside a frame, Oversize on a frame over MAX_MESSAGE.
    """
    buffer.extend(chunk)
    frames = []
    while buffer:
        if buffer[:1] != START:
            raise FramingError("data outside an MLLP frame (expected 0x0B)")
        end = buffer.find(END + CR)
        if (end < 0 and len(buffer) > MAX_MESSAGE + 3) or end - 1 > MAX_MESSAGE:
            raise Oversize(bytes(buffer[1:4097]))
        if end < 0:
            break
        frames.append(bytes(buffer[1:end]))
        del buffer[: end + 2]
    return frames


def frame(message: str) -> bytes:
    """Wrap one HL7 message in MLLP framing."""
    return START + message.encode("utf-8") + END + CR


def parse(payload: bytes) -> Result:
    """Parse and check one ORU^R01; raise Refused with AE or AR and a reason."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused("AE", "the message is not UTF-8 text") from exc
    segments = [s for s in text.replace("\n", "\r").split("\r") if s]
    if not segments or not segments[0].startswith("MSH") or len(segments[0]) < 8:
        raise Refused("AE", "the message does not start with an MSH segment")
    sep = segments[0][3]
    msh = [segments[0][:3], sep, *segments[0][4:].split(sep)]
    control_id = field(msh, 10)
    if not control_id:
        raise Refused("AE", "MSH-10 (message control id) is empty")
    kind = field(msh, 9).split(components(msh))
    if kind[:2] != ["ORU", "R01"]:
        raise Refused("AR", f"message type {field(msh, 9)!r} is not ORU^R01", control_id)
    if field(msh, 12) not in VERSIONS:
        raise Refused("AR", f"HL7 version {field(msh, 12)!r} is not 2.5", control_id)
    by_name: dict[str, list[list[str]]] = {}
    for segment in segments[1:]:
        by_name.setdefault(segment[:3], []).append(segment.split(sep))
    for needed in ("PID", "OBR", "OBX"):
        if needed not in by_name:
            raise Refused("AE", f"the message has no {needed} segment", control_id)
    patient = field(by_name["PID"][0], 3).split(components(msh))[0]
    obr = by_name["OBR"][0]
    # The filler order number (OBR-3), else the placer's (OBR-2): each one's first component (EI.1).
    order = field(obr, 3).split(components(msh))[0] or field(obr, 2).split(components(msh))[0]
    if not patient or not order:
        raise Refused("AE", "PID-3 (patient id) or OBR-2/3 (order number) is empty", control_id)
    for number, obx in enumerate(by_name["OBX"], 1):
        check_value(obx, number, msh, control_id)
    return Result(
        control_id=control_id,
        patient=patient,
        order=order,
        priority=priority(obr, by_name.get("TQ1", []), components(msh)),
        observations=tuple((field(o, 3), field(o, 5), field(o, 6)) for o in by_name["OBX"]),
        sender=field(msh, 3),
        raw=text,
    )


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DATE = re.compile(r"^\d{4}(\d{2}(\d{2})?)?$")
_TIME = re.compile(r"^\d{2}(\d{2}(\d{2}(\.\d{1,4})?)?)?([+-]\d{4})?$")
_DATE_TIME = re.compile(r"^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2}(\.\d{1,4})?)?)?)?)?)?([+-]\d{4})?$")
_COMPARATORS = ("", ">", "<", ">=", "<=", "=", "<>")
_SN_SEPARATORS = ("", "-", "+", "/", ".", ":")
# HL7 v2.5 table 0125: the value types OBX-2 may declare. Text and coded types are taken as they are.
VALUE_TYPES = frozenset(
    {
        *("AD", "CE", "CF", "CK", "CN", "CNE", "CP", "CWE", "CX", "DT", "DTM", "ED", "FT", "ID", "IS"),
        *("MA", "MO", "NA", "NM", "PN", "RP", "SN", "ST", "TM", "TN", "TS", "TX", "XAD", "XCN", "XON"),
        *("XPN", "XTN"),
    }
)


def check_value(obx: list[str], number: int, msh: list[str], control_id: str) -> None:
    """Refuse (AE, naming the field) an OBX whose OBX-5 does not fit the value type OBX-2 declares."""
    kind, value = field(obx, 2).split(components(msh))[0], field(obx, 5)
    where = f"OBX {number}"
    if not kind:
        if value:
            raise Refused("AE", f"{where}: OBX-2 (value type) is empty but OBX-5 holds a value", control_id)
        return
    if kind not in VALUE_TYPES:
        raise Refused("AE", f"{where}: OBX-2 (value type) {kind!r} is not an HL7 v2.5 value type", control_id)
    repeat = msh[2][1:2] if len(msh) > 2 and len(msh[2]) > 1 else "~"
    for item in value.split(repeat) if value else ():
        problem = value_problem(kind, item.split(components(msh)))
        if problem:
            raise Refused(
                "AE",
                f"{where}: OBX-5 (observation value) {item[:40]!r} does not fit its value type {kind}"
                f" (OBX-2): {problem}",
                control_id,
            )


def value_problem(kind: str, parts: list[str]) -> str:
    """What is wrong with one OBX-5 value (split into components) for its type; "" when it fits."""
    if kind == "NM":
        return "" if len(parts) == 1 and _NUMBER.fullmatch(parts[0]) else "expected a number such as 5.4"
    if kind == "SN":
        comparator, first, separator, second = [*parts, "", "", "", ""][:4]
        numbers_fit = all(not n or _NUMBER.fullmatch(n) for n in (first, second))
        shape = comparator in _COMPARATORS and separator in _SN_SEPARATORS and len(parts) <= 4
        fits = shape and numbers_fit
        return "" if fits else "expected a structured number such as >^10 or ^1^:^128"
    if kind in ("NA", "MA"):
        return (
            "" if all(not p or _NUMBER.fullmatch(p) for p in parts) else "expected numbers in its components"
        )
    if kind == "MO":
        return "" if _NUMBER.fullmatch(parts[0]) else "expected an amount such as 12.50^EUR"
    checks = {
        "DT": (_DATE, "YYYY[MM[DD]]"),
        "TM": (_TIME, "HH[MM[SS]]"),
        "DTM": (_DATE_TIME, "YYYYMMDD[HHMMSS]"),
        "TS": (_DATE_TIME, "YYYYMMDD[HHMMSS]"),
    }
    if kind in checks:
        pattern, shape = checks[kind]
        return "" if pattern.fullmatch(parts[0]) else f"expected a date or time as {shape}"
    return ""


def priority(obr: list[str], tq1: list[list[str]], comp: str) -> str:
    """The result's priority: TQ1-9 when present, else OBR-27's sixth component; R by default."""
    if tq1 and field(tq1[0], 9):
        return field(tq1[0], 9).split(comp)[0][:1].upper()
    timing = field(obr, 27).split(comp)
    return timing[5][:1].upper() if len(timing) > 5 and timing[5] else "R"


def field(segment: list[str], index: int) -> str:
    """Field `index` of a split segment (1-based, as HL7 counts), or ""."""
    return segment[index] if len(segment) > index else ""


def components(msh: list[str]) -> str:
    """The component separator declared in MSH-2."""
    return msh[2][:1] if len(msh) > 2 and msh[2] else "^"


# HL7 v2 escape sequences for the delimiters our ACKs use, and line breaks.
_ESCAPE = {"\\": "E", "|": "F", "^": "S", "&": "T", "~": "R", "\r": "X0D", "\n": "X0A"}
_UNESCAPE = {code: plain for plain, code in _ESCAPE.items()}
_SPECIAL = re.compile(r"[\\|^&~\r\n]")
_SEQUENCE = re.compile(r"\\(E|F|S|T|R|X0D|X0A)\\")


def escape(text: str) -> str:
    """text as an HL7 field value: delimiters and line breaks as escape sequences."""
    return _SPECIAL.sub(lambda m: f"\\{_ESCAPE[m.group()]}\\", text)


def unescape(text: str) -> str:
    """The value an escaped HL7 field stands for (the reverse of escape)."""
    return _SEQUENCE.sub(lambda m: _UNESCAPE[m.group(1)], text)


def ack(code: str, control_id: str, reason: str = "", receiver: str = "ANALYSER") -> str:
    """An ACK answering control_id with code AA, AE or AR (and ERR text for AE/AR).

    Every value that came from the sender is escaped: a control id or a
    sender name holding a delimiter cannot reshape the ACK.
    """
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    text = escape(reason[:200])
    segments = [
        f"MSH|^~\\&|LABGW|CHU|{escape(receiver)}|BIOLOGY|{now}||ACK^R01^ACK|ACK{next(_ack_ids):08d}|P|2.5",
        f"MSA|{code}|{escape(control_id)}|{text}",
    ]
    if code != "AA":
        segments.append(f"ERR||||E|||{text}")
    return "\r".join(segments) + "\r"
