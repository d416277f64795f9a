"""HL7 acknowledgements: the gateway writes them, the analysers and the workload read them.

An ACK answers one message by its MSH-10 with a code: AA (accepted), AE
(error in the message) or AR (rejected), and for AE and AR a reason, in
MSA-3 and again in ERR-8. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from services.common.hl7v2 import STANDARD, EncodingError, split_message

# This process's own control ids for its ACKs (MSH-10 of each ACK).
_ack_ids = itertools.count(1)
REASON_CHARS = 200


@dataclass(frozen=True)
class Ack:
    """What an ACK says, unescaped: its code (MSA-1), the control id it answers (MSA-2), its text (MSA-3)."""

    code: str
    control_id: str
    text: str


def build_ack(code: str, control_id: str, reason: str = "", receiver: str = "ANALYSER") -> str:
    """An ACK from the gateway (LABGW at CHU) answering control_id with code AA, AE or AR.

    reason (cut at REASON_CHARS) goes in MSA-3 and, for AE and AR, in ERR-8.
    Every value that came from the sender is escaped: a control id or a
    sender name holding a delimiter cannot reshape the ACK.
    """
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    text = STANDARD.escape(reason[:REASON_CHARS])
    segments = [
        f"MSH|^~\\&|LABGW|CHU|{STANDARD.escape(receiver)}|BIOLOGY|{now}||ACK^R01^ACK|ACK{next(_ack_ids):08d}|P|2.5",
        f"MSA|{code}|{STANDARD.escape(control_id)}|{text}",
    ]
    if code != "AA":
        segments.append(f"ERR||||E|||{text}")
    return "\r".join(segments) + "\r"


def read_ack(payload: bytes) -> Ack | None:
    """The ACK an MLLP payload holds, read with the delimiters its MSH declares; None without an MSA.

    MSA-1, MSA-2 and MSA-3 are read whole (none of them repeats) and
    unescaped. Bytes that are not UTF-8 are read as U+FFFD.
    """
    try:
        message = split_message(payload.decode("utf-8", "replace"))
    except EncodingError:
        return None
    msa = message.first("MSA")
    if msa is None:
        return None
    unescape = message.delimiters.unescape
    return Ack(unescape(msa.field(1)), unescape(msa.field(2)), unescape(msa.field(3)))
