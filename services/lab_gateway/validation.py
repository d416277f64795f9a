"""What the gateway takes: one ORU^R01 of HL7 v2.5, checked field by field, or a refusal that says why.

A message is accepted (ACK AA, once journaled), refused AE (an error in the
message: a segment or field missing or malformed) or AR (rejected: a message
type or version this gateway does not take, or over the size limit).

Fields are read with the message's own delimiters and unescaped
(services.common.hl7v2):
- MSH-10, the key duplicates are told by, is read whole. A control id
  holding a component, repetition or subcomponent separator is refused AE:
  reading a part of it could make two messages one, and the second would be
  acknowledged yet never stored.
- A repeated field counts by its first repetition (PID-3 lists a patient's
  identifiers; OBR-27 and TQ1-9 may repeat), and an identifier or a code is
  its first component: the patient's CX.1, the order's EI.1, the sender's
  HD.1, the message type's MSG.1 and MSG.2, the version's VID.1.
- Observations (OBX-3, OBX-5, OBX-6) are kept as the sender wrote them,
  still HL7-encoded with every component and repetition, as is the raw
  message: a clinician reads back what the analyser sent. OBX-5 is checked
  against OBX-2 repetition by repetition, each component unescaped.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from services.common.hl7v2 import Delimiters, EncodingError, Message, Segment, split_message
from services.common.mllp import MAX_MESSAGE
from services.lab_gateway.value_types import VALUE_TYPES, value_problem

VERSIONS = ("2.5", "2.5.1")


class Refused(Exception):
    """A message the gateway does not accept; code is AE or AR, reason says why."""

    def __init__(self, code: str, reason: str, control_id: str = "") -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.control_id = control_id


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


def parse(payload: bytes) -> Result:
    """Parse and check one ORU^R01; raise Refused with AE or AR and a reason."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused("AE", "the message is not UTF-8 text") from exc
    try:
        message = split_message(text)
    except EncodingError as exc:
        raise Refused("AE", str(exc)) from exc
    control_id = checked_header(message)
    pid, obr = required(message, "PID", control_id), required(message, "OBR", control_id)
    required(message, "OBX", control_id)
    value = message.delimiters.value
    patient = value(pid.field(3))
    order = value(obr.field(3)) or value(obr.field(2))
    if not patient or not order:
        raise Refused("AE", "PID-3 (patient id) or OBR-2/3 (order number) is empty", control_id)
    observations = message.all("OBX")
    for number, obx in enumerate(observations, 1):
        check_value(message.delimiters, obx, number, control_id)
    return Result(
        control_id=control_id,
        patient=patient,
        order=order,
        priority=priority(message.delimiters, obr, message.first("TQ1")),
        observations=tuple((o.field(3), o.field(5), o.field(6)) for o in observations),
        sender=value(message.header.field(3)),
        raw=text,
    )


def checked_header(message: Message) -> str:
    """The message's control id (MSH-10), once MSH-9 and MSH-12 name what this gateway takes.

    Raises Refused: AE for a missing or composite control id, AR for another
    message type or version.
    """
    d, msh = message.delimiters, message.header
    control_id = d.unescape(msh.field(10))
    if not control_id:
        raise Refused("AE", "MSH-10 (message control id) is empty")
    if any(sep in msh.field(10) for sep in (d.component_sep, d.repetition_sep, d.subcomponent_sep)):
        raise Refused(
            "AE",
            "MSH-10 (message control id) holds a component, repetition or subcomponent separator:"
            " a control id is one plain value",
            control_id,
        )
    if (d.value(msh.field(9), 1), d.value(msh.field(9), 2)) != ("ORU", "R01"):
        raise Refused("AR", f"message type {msh.field(9)!r} is not ORU^R01", control_id)
    if d.value(msh.field(12)) not in VERSIONS:
        raise Refused("AR", f"HL7 version {msh.field(12)!r} is not 2.5", control_id)
    return control_id


def required(message: Message, name: str, control_id: str) -> Segment:
    """The message's first segment named name; raises Refused (AE) when it has none."""
    segment = message.first(name)
    if segment is None:
        raise Refused("AE", f"the message has no {name} segment", control_id)
    return segment


def check_value(delimiters: Delimiters, obx: Segment, number: int, control_id: str) -> None:
    """Refuse (AE, naming the field) an OBX whose OBX-5 does not fit the value type OBX-2 declares."""
    kind, value = delimiters.value(obx.field(2)), obx.field(5)
    where = f"OBX {number}"
    if not kind:
        if value:
            raise Refused("AE", f"{where}: OBX-2 (value type) is empty but OBX-5 holds a value", control_id)
        return
    if kind not in VALUE_TYPES:
        raise Refused("AE", f"{where}: OBX-2 (value type) {kind!r} is not an HL7 v2.5 value type", control_id)
    for item in delimiters.repetitions(value) if value else ():
        problem = value_problem(kind, [delimiters.unescape(c) for c in delimiters.components(item)])
        if problem:
            raise Refused(
                "AE",
                f"{where}: OBX-5 (observation value) {item[:40]!r} does not fit its value type {kind}"
                f" (OBX-2): {problem}",
                control_id,
            )


def priority(delimiters: Delimiters, obr: Segment, tq1: Segment | None) -> str:
    """The result's priority, one letter: TQ1-9 when it holds one, else OBR-27's sixth component, else R.

    An ASCII letter is upper-cased (s is S); any other character is kept as it is.
    """
    chosen = (delimiters.value(tq1.field(9)) if tq1 else "") or delimiters.value(obr.field(27), 6) or "R"
    first = chosen[:1]
    return first.upper() if first.isascii() else first


def oversize_refusal(head: bytes) -> Refused:
    """The AR that answers an oversized message, naming its control id when its head shows one."""
    control_id = ""
    with contextlib.suppress(EncodingError):
        message = split_message(head.decode("utf-8", "replace"))
        control_id = message.delimiters.unescape(message.header.field(10))
    return Refused(
        "AR",
        f"the message is over the size limit of {MAX_MESSAGE} bytes: split it or send less per message",
        control_id,
    )
