"""ORU^R01 v2.5 (observation results) as the analysers and the workload send them: one order, one result.

Standard library only. The priority goes in OBR-27's sixth component (S for
STAT, R for routine), where the gateway reads it when there is no TQ1.
Every value is escaped, so a control id or a patient id holding a delimiter
cannot reshape the message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.common.hl7v2 import STANDARD

# OBR-27 is field 27: OBR-7 (the observation time) and 20 more delimiters before it.
_TO_OBR_27 = "|" * 20


@dataclass(frozen=True)
class Observation:
    """One result: the test's code and name (OBX-3, local coding L), its value (OBX-5) and unit (OBX-6)."""

    code: str
    name: str
    value: str
    unit: str
    value_type: str = "NM"


@dataclass(frozen=True)
class Order:
    """Who sends what about whom: MSH-3, MSH-10, PID-3 and PID-5, OBR-2 and OBR-3, the priority."""

    sender: str
    control_id: str
    patient: str
    order: str
    stat: bool
    patient_name: tuple[str, str] = ("DOE", "JANE")


def oru_r01(order: Order, observation: Observation, at: dt.datetime | None = None) -> str:
    """The message's text, segments ended by CR; `at` (default now, UTC) is MSH-7 and OBR-7."""
    e = STANDARD.escape
    now = (at or dt.datetime.now(dt.UTC)).strftime("%Y%m%d%H%M%S")
    test = f"{e(observation.code)}^{e(observation.name)}^L"
    family, given = order.patient_name
    priority = "S" if order.stat else "R"
    segments = [
        f"MSH|^~\\&|{e(order.sender)}|BIOLOGY|LABGW|CHU|{now}||ORU^R01^ORU_R01|{e(order.control_id)}|P|2.5",
        f"PID|1||{e(order.patient)}^^^CHU^MR||{e(family)}^{e(given)}",
        f"OBR|1|{e(order.order)}|{e(order.order)}|{test}|||{now}{_TO_OBR_27}^^^^^{priority}",
        f"OBX|1|{e(observation.value_type)}|{test}||{e(observation.value)}|{e(observation.unit)}|||||F",
    ]
    return "\r".join(segments) + "\r"
