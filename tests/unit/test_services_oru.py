"""ORU^R01 as the analysers and the workload send them (services/common/oru.py), taken by the gateway."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from drill.workload import clients
from services.common.oru import Observation, Order, oru_r01
from services.lab_analyser.analyser import message
from services.lab_gateway.validation import parse

AT = dt.datetime(2025, 11, 7, 12, 0, 0, tzinfo=dt.UTC)
VALUE = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30)


def test_the_message_is_the_one_the_analysers_always_sent() -> None:
    order = Order("AN01", "AN01-00000007", "P00042", "ORD0100000007", True, ("DOE", "JOHN"))
    text = oru_r01(order, Observation("GLU", "Glucose", "5.4", "mmol/L"), AT)
    assert text.split("\r") == [
        "MSH|^~\\&|AN01|BIOLOGY|LABGW|CHU|20251107120000||ORU^R01^ORU_R01|AN01-00000007|P|2.5",
        "PID|1||P00042^^^CHU^MR||DOE^JOHN",
        "OBR|1|ORD0100000007|ORD0100000007|GLU^Glucose^L|||20251107120000" + "|" * 20 + "^^^^^S",
        "OBX|1|NM|GLU^Glucose^L||5.4|mmol/L|||||F",
        "",
    ]


@settings(max_examples=200, deadline=None)
@given(VALUE, VALUE, VALUE, VALUE, st.booleans())
def test_the_gateway_takes_any_message_built_and_reads_its_values_back(
    sender: str, control_id: str, patient: str, order: str, stat: bool
) -> None:
    text = oru_r01(
        Order(sender, control_id, patient, order, stat), Observation("K", "Pot|assium", "4.1", "mmol/L")
    )
    result = parse(text.encode())
    assert (result.sender, result.control_id, result.patient, result.order) == (
        sender,
        control_id,
        patient,
        order,
    )
    assert result.priority == ("S" if stat else "R") and result.is_stat is stat
    assert result.observations == (("K^Pot\\F\\assium^L", "4.1", "mmol/L"),)


def test_an_analysers_messages_are_numbered_and_drawn_from_its_seed() -> None:
    first = message("AN02", 12, False, random.Random("AN02"))
    again = message("AN02", 12, False, random.Random("AN02"))
    control_id, text = first
    # The same patient and value from the same seed (MSH-7 and OBR-7 are the time of sending).
    same = [first[1].split("\r")[i] == again[1].split("\r")[i] for i in (1, 3)]
    assert control_id == again[0] == "AN02-00000012" and same == [True, True]
    result = parse(text.encode())
    assert (result.control_id, result.order, result.priority, result.sender) == (
        "AN02-00000012",
        "ORD0200000012",
        "R",
        "AN02",
    )
    assert result.patient.startswith("P") and len(result.patient) == 6
    code, value, unit = result.observations[0]
    assert code.split("^")[0] in ("GLU", "K", "HB") and float(value) > 0 and unit in ("mmol/L", "g/dL")


def test_the_workloads_result_is_a_stat_or_routine_glucose() -> None:
    stat = parse(clients.oru("W-1", "O-1", "P00001", True))
    routine = parse(clients.oru("W-2", "O-2", "P00002", False))
    assert (stat.control_id, stat.order, stat.patient, stat.priority, stat.sender) == (
        "W-1",
        "O-1",
        "P00001",
        "S",
        "WORKLOAD",
    )
    assert routine.priority == "R" and routine.observations == (("GLU^Glucose^L", "5.4", "mmol/L"),)
