"""HL7 v2.5 parsing, MLLP framing and ACKs of the lab-result gateway (services/lab-gateway/hl7.py)."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from drill.paths import PROJECT_ROOT


def load() -> ModuleType:
    path = PROJECT_ROOT / "services" / "lab-gateway" / "hl7.py"
    spec = importlib.util.spec_from_file_location("lab_gateway_hl7", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


hl7 = load()
MSH = "MSH|^~\\&|AN01|BIOLOGY|LABGW|CHU|20251107120000||ORU^R01^ORU_R01|C-1|P|2.5"
PID = "PID|1||P00042^^^CHU^MR||DOE^JANE"
OBR = "OBR|1|ORD1|ORD1|GLU^Glucose^L|||20251107120000" + "|" * 20 + "^^^^^S"
OBX = "OBX|1|NM|GLU^Glucose^L||5.4|mmol/L|||||F"


def message(*segments: str) -> bytes:
    return ("\r".join(segments) + "\r").encode()


def test_an_oru_with_obr27_priority_s_is_stat() -> None:
    result = hl7.parse(message(MSH, PID, OBR, OBX))
    assert (result.control_id, result.patient, result.order, result.priority) == (
        "C-1",
        "P00042",
        "ORD1",
        "S",
    )
    assert result.is_stat and result.observations == (("GLU^Glucose^L", "5.4", "mmol/L"),)


def test_tq1_9_wins_over_obr27_and_routine_is_the_default() -> None:
    assert hl7.parse(message(MSH, PID, OBR, "TQ1|1||||||||R^Routine", OBX)).priority == "R"
    plain_obr = "OBR|1|ORD1|ORD1|GLU^Glucose^L"
    assert hl7.parse(message(MSH, PID, plain_obr, OBX)).priority == "R"


@pytest.mark.parametrize(
    ("segments", "code", "reason"),
    [
        ((PID, OBR, OBX), "AE", "does not start with an MSH segment"),
        ((MSH.replace("ORU^R01^ORU_R01", "ADT^A01"), PID, OBR, OBX), "AR", "is not ORU^R01"),
        ((MSH.replace("|P|2.5", "|P|2.3"), PID, OBR, OBX), "AR", "is not 2.5"),
        ((MSH.replace("|C-1|", "||"), PID, OBR, OBX), "AE", "MSH-10"),
        ((MSH, PID, OBR), "AE", "no OBX segment"),
        ((MSH, "PID|1||", OBR, OBX), "AE", "PID-3"),
        ((MSH, PID, "OBR|1|^|^|GLU", OBX), "AE", "OBR-2/3"),  # order fields of empty components
        ((MSH, PID, "OBR|1|^NORD|^LAB|GLU", OBX), "AE", "OBR-2/3"),
    ],
)
def test_bad_messages_are_refused_with_code_and_reason(
    segments: tuple[str, ...], code: str, reason: str
) -> None:
    with pytest.raises(hl7.Refused) as caught:
        hl7.parse(message(*segments))
    assert caught.value.code == code and reason in caught.value.reason


def test_the_order_is_the_first_component_of_obr_3_else_of_obr_2() -> None:
    assert hl7.parse(message(MSH, PID, "OBR|1|ORD7^NORD|ORD9^LAB|GLU", OBX)).order == "ORD9"
    assert hl7.parse(message(MSH, PID, "OBR|1|ORD7^NORD|^LAB|GLU", OBX)).order == "ORD7"


def test_frames_split_across_reads_and_several_in_one_read() -> None:
    buffer = bytearray()
    data = hl7.frame("A\r") + hl7.frame("B\r")
    assert hl7.read_frame(buffer, data[:3]) == []
    assert hl7.read_frame(buffer, data[3:]) == [b"A\r", b"B\r"]
    assert buffer == bytearray()


def test_bytes_outside_a_frame_and_oversize_are_framing_errors() -> None:
    with pytest.raises(hl7.FramingError, match="outside an MLLP frame"):
        hl7.read_frame(bytearray(), b"hello")
    with pytest.raises(hl7.FramingError, match="over"):
        hl7.read_frame(bytearray(), b"\x0b" + b"x" * (hl7.MAX_MESSAGE + 10))


def test_ack_names_the_message_it_answers_and_explains_refusals() -> None:
    assert "MSA|AA|C-1|" in hl7.ack("AA", "C-1")
    refused = hl7.ack("AE", "C-2", "no OBX | here")
    assert "MSA|AE|C-2|no OBX \\F\\ here" in refused and "ERR|" in refused


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
        ("", ""),
    ],
)
def test_values_that_fit_their_declared_type_are_taken(kind: str, value: str) -> None:
    result = hl7.parse(message(MSH, PID, OBR, obx(kind, value)))
    assert result.observations[0][1] == value


@pytest.mark.parametrize(
    ("kind", "value", "field_named"),
    [
        ("NM", "high", "OBX-5"),
        ("NM", "5,4", "OBX-5"),
        ("NM", "5.4^mmol", "OBX-5"),
        ("NM", "5.4~n/a", "OBX-5"),
        ("NM", "1e3", "OBX-5"),
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
    with pytest.raises(hl7.Refused) as caught:
        hl7.parse(message(MSH, PID, OBR, obx("NM", "5.4"), obx(kind, value, 2)))
    refused = caught.value
    assert refused.code == "AE" and refused.control_id == "C-1"
    assert field_named in refused.reason and "OBX 2" in refused.reason


def test_a_frame_over_the_limit_is_answered_ar_with_the_limit_and_its_control_id() -> None:
    head = message(MSH, PID, OBR)
    for data in (
        hl7.START + head + b"x" * (hl7.MAX_MESSAGE + 10),  # still arriving
        hl7.frame(head.decode() + "y" * (hl7.MAX_MESSAGE + 10)),  # whole in one read
    ):
        with pytest.raises(hl7.Oversize) as caught:
            hl7.read_frame(bytearray(), data)
        refused = caught.value.refusal()
        assert refused.code == "AR" and refused.control_id == "C-1"
        assert str(hl7.MAX_MESSAGE) in refused.reason
        assert "MSA|AR|C-1|" in hl7.ack(refused.code, refused.control_id, refused.reason)


def test_a_frame_at_the_limit_is_taken() -> None:
    payload = b"z" * hl7.MAX_MESSAGE
    assert hl7.read_frame(bytearray(), hl7.START + payload + hl7.END + hl7.CR) == [payload]
