"""What the lab gateway takes (services/lab_gateway/validation.py): ORU^R01 checked field by field."""

from __future__ import annotations

import hl7 as python_hl7
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common import mllp
from services.common.ack import build_ack
from services.common.hl7v2 import STANDARD
from services.lab_gateway.validation import Refused, oversize_refusal, parse

MSH = "MSH|^~\\&|AN01|BIOLOGY|LABGW|CHU|20251107120000||ORU^R01^ORU_R01|C-1|P|2.5"
PID = "PID|1||P00042^^^CHU^MR||DOE^JANE"
OBR = "OBR|1|ORD1|ORD1|GLU^Glucose^L|||20251107120000" + "|" * 20 + "^^^^^S"
OBX = "OBX|1|NM|GLU^Glucose^L||5.4|mmol/L|||||F"


def message(*segments: str) -> bytes:
    return ("\r".join(segments) + "\r").encode()


def refusal(*segments: str) -> Refused:
    with pytest.raises(Refused) as caught:
        parse(message(*segments))
    return caught.value


def test_an_oru_with_obr27_priority_s_is_stat() -> None:
    result = parse(message(MSH, PID, OBR, OBX))
    assert (result.control_id, result.patient, result.order, result.priority, result.sender) == (
        "C-1",
        "P00042",
        "ORD1",
        "S",
        "AN01",
    )
    assert result.is_stat and result.observations == (("GLU^Glucose^L", "5.4", "mmol/L"),)


def test_tq1_9_wins_over_obr27_and_routine_is_the_default() -> None:
    assert parse(message(MSH, PID, OBR, "TQ1|1||||||||R^Routine", OBX)).priority == "R"
    assert parse(message(MSH, PID, "OBR|1|ORD1|ORD1|GLU^Glucose^L", OBX)).priority == "R"
    assert parse(message(MSH, PID, OBR.replace("^^^^^S", "^^^^^s"), OBX)).priority == "S"


@pytest.mark.parametrize(
    ("segments", "code", "reason"),
    [
        ((PID, OBR, OBX), "AE", "the message does not start with an MSH segment"),
        (
            (MSH.replace("ORU^R01^ORU_R01", "ADT^A01"), PID, OBR, OBX),
            "AR",
            "message type 'ADT^A01' is not ORU^R01",
        ),
        ((MSH.replace("|P|2.5", "|P|2.3"), PID, OBR, OBX), "AR", "HL7 version '2.3' is not 2.5"),
        ((MSH.replace("|C-1|", "||"), PID, OBR, OBX), "AE", "MSH-10 (message control id) is empty"),
        ((MSH, PID, OBR), "AE", "the message has no OBX segment"),
        ((MSH, OBR, OBX), "AE", "the message has no PID segment"),
        ((MSH, PID, OBX), "AE", "the message has no OBR segment"),
        ((MSH, "PID|1||", OBR, OBX), "AE", "PID-3 (patient id) or OBR-2/3 (order number) is empty"),
        ((MSH, PID, "OBR|1|^|^|GLU", OBX), "AE", "OBR-2/3"),  # order fields of empty components
        ((MSH, PID, "OBR|1|^NORD|^LAB|GLU", OBX), "AE", "OBR-2/3"),
    ],
)
def test_bad_messages_are_refused_with_code_and_reason(
    segments: tuple[str, ...], code: str, reason: str
) -> None:
    refused = refusal(*segments)
    assert refused.code == code and reason in refused.reason


def test_text_that_is_not_utf8_is_refused_ae() -> None:
    with pytest.raises(Refused, match="not UTF-8") as caught:
        parse(b"\xff\xfe" + message(MSH, PID, OBR, OBX))
    assert caught.value.code == "AE" and caught.value.control_id == ""


def test_the_order_is_the_first_component_of_obr_3_else_of_obr_2() -> None:
    assert parse(message(MSH, PID, "OBR|1|ORD7^NORD|ORD9^LAB|GLU", OBX)).order == "ORD9"
    assert parse(message(MSH, PID, "OBR|1|ORD7^NORD|^LAB|GLU", OBX)).order == "ORD7"


def test_identifiers_are_read_unescaped() -> None:
    result = parse(
        message(
            MSH.replace("|AN01|", "|AN\\T\\01^1.2.3^ISO|").replace("|C-1|", "|C\\F\\1\\E\\x|"),
            "PID|1||P\\S\\42^^^CHU^MR",
            "OBR|1||ORD\\R\\1|GLU",
            OBX,
        )
    )
    assert (result.control_id, result.patient, result.order, result.sender) == (
        "C|1\\x",
        "P^42",
        "ORD~1",
        "AN&01",
    )


def test_a_repeated_patient_id_counts_by_its_first_repetition() -> None:
    result = parse(message(MSH, "PID|1||P00042^^^CHU^MR~123456789^^^NHS^NH", OBR, OBX))
    assert result.patient == "P00042"


def test_an_empty_first_repetition_of_the_patient_id_is_an_empty_patient_id() -> None:
    refused = refusal(MSH, "PID|1||~P2^^^CHU", OBR, OBX)
    assert refused.code == "AE" and "PID-3" in refused.reason


def test_a_repeated_obr_27_counts_by_its_first_repetition() -> None:
    timing = "OBR|1|ORD1|ORD1|GLU|||20251107" + "|" * 20 + "^^^^^R~^^^^^S"
    assert parse(message(MSH, PID, timing, OBX)).priority == "R"


@pytest.mark.parametrize("control_id", ["C^1", "C~1", "C&1"])
def test_a_control_id_holding_a_delimiter_is_refused_so_two_messages_never_become_one(
    control_id: str,
) -> None:
    refused = refusal(MSH.replace("|C-1|", f"|{control_id}|"), PID, OBR, OBX)
    assert refused.code == "AE" and "MSH-10" in refused.reason and refused.control_id == control_id


def test_a_message_with_its_own_delimiters_is_read_with_them() -> None:
    segments = [s.replace("|", "#").replace("^", "!") for s in (MSH, PID, OBR, OBX)]
    result = parse(message(*segments))
    assert (result.control_id, result.patient, result.order, result.priority) == (
        "C-1",
        "P00042",
        "ORD1",
        "S",
    )


def test_delimiters_that_collide_are_refused_ae() -> None:
    refused = refusal(MSH.replace("^~\\&", "^^\\&"), PID, OBR, OBX)
    assert refused.code == "AE" and "five distinct characters" in refused.reason


def test_a_message_type_and_version_count_by_their_components() -> None:
    assert parse(message(MSH.replace("|P|2.5", "|P|2.5.1^FRA"), PID, OBR, OBX)).control_id == "C-1"
    refused = refusal(MSH.replace("ORU^R01^ORU_R01", "ORU^R02"), PID, OBR, OBX)
    assert refused.code == "AR" and refused.control_id == "C-1"


def obx(kind: str, value: str, number: int = 1) -> str:
    return f"OBX|{number}|{kind}|GLU^Glucose^L||{value}|mmol/L|||||F"


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("NM", "5.4"),
        ("NM", "-12"),
        ("NM", ".5"),
        ("NM", "+3."),
        ("NM", ""),
        ("NM", "5.4~6.1"),
        ("NM", "5\\X2E\\4"),  # 5.4, the point hex-escaped
        ("SN", ">^10"),
        ("SN", "^1^:^128"),
        ("SN", "<=^0.5"),
        ("DT", "20261107"),
        ("DT", "2026"),
        ("TM", "1230"),
        ("TS", "20261107123000+0100"),
        ("DTM", "202611071230"),
        ("ST", "haemolysed sample, redo"),
        ("TX", "high"),
        ("FT", "line one\\.br\\line two"),
        ("CWE", "POS^Positive^L"),
        ("CE", "NEG^Negative"),
        ("NA", "1^2^3.5"),
        ("MO", "12.50^EUR"),
        ("NM~ST", "5.4"),  # a repeated OBX-2 counts by its first repetition
        ("", ""),
    ],
)
def test_values_that_fit_their_declared_type_are_taken_as_written(kind: str, value: str) -> None:
    result = parse(message(MSH, PID, OBR, obx(kind, value)))
    assert result.observations[0][1] == value


@pytest.mark.parametrize(
    ("kind", "value", "field_named"),
    [
        ("NM", "high", "OBX-5"),
        ("NM", "5,4", "OBX-5"),
        ("NM", "5.4^mmol", "OBX-5"),
        ("NM", "5.4~n/a", "OBX-5"),
        ("NM", "1e3", "OBX-5"),
        ("NM", "5\\S\\4", "OBX-5"),  # an escaped ^ is a character of the value, not a number
        ("SN", "about^10", "OBX-5"),
        ("SN", "^ten", "OBX-5"),
        ("DT", "07/11/2026", "OBX-5"),
        ("TS", "yesterday", "OBX-5"),
        ("TM", "25h", "OBX-5"),
        ("NA", "1^two", "OBX-5"),
        ("XX", "5.4", "OBX-2"),
        ("", "5.4", "OBX-2"),
    ],
)
def test_a_value_that_does_not_fit_its_type_is_refused_ae_naming_the_field(
    kind: str, value: str, field_named: str
) -> None:
    refused = refusal(MSH, PID, OBR, obx("NM", "5.4"), obx(kind, value, 2))
    assert refused.code == "AE" and refused.control_id == "C-1"
    assert field_named in refused.reason and "OBX 2" in refused.reason


def test_a_frame_over_the_limit_is_answered_ar_with_the_limit_and_its_control_id() -> None:
    head = message(MSH, PID, OBR)
    for data in (
        mllp.START + head + b"x" * (mllp.MAX_MESSAGE + 10),  # still arriving
        mllp.frame(head.decode() + "y" * (mllp.MAX_MESSAGE + 10)),  # whole in one read
    ):
        with pytest.raises(mllp.Oversize) as caught:
            mllp.read_frame(bytearray(), data)
        refused = oversize_refusal(caught.value.head)
        assert refused.code == "AR" and refused.control_id == "C-1"
        assert str(mllp.MAX_MESSAGE) in refused.reason
        assert "MSA|AR|C-1|" in build_ack(refused.code, refused.control_id, refused.reason)


def test_an_oversized_frame_without_an_msh_is_refused_without_a_control_id() -> None:
    assert oversize_refusal(b"x" * 4096).control_id == ""


ID_TEXT = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(ID_TEXT, ID_TEXT, ID_TEXT, st.sampled_from(["S", "R", "A"]))
def test_escaped_identifiers_come_back_as_they_were_and_as_python_hl7_reads_them(
    control_id: str, patient: str, order: str, priority: str
) -> None:
    e = STANDARD.escape
    text = (
        "\r".join(
            [
                MSH.replace("|C-1|", f"|{e(control_id)}|"),
                f"PID|1||{e(patient)}^^^CHU^MR",
                f"OBR|1||{e(order)}|GLU|||20251107" + "|" * 20 + f"^^^^^{priority}",
                OBX,
            ]
        )
        + "\r"
    )
    result = parse(text.encode())
    assert (result.control_id, result.patient, result.order, result.priority) == (
        control_id,
        patient,
        order,
        priority,
    )
    other = python_hl7.parse(text)
    assert other.unescape(str(other.segment("MSH")(10))) == control_id
    assert other.unescape(str(other.segment("PID")(3)(1)(1))) == patient
