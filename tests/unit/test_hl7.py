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
    ],
)
def test_bad_messages_are_refused_with_code_and_reason(
    segments: tuple[str, ...], code: str, reason: str
) -> None:
    with pytest.raises(hl7.Refused) as caught:
        hl7.parse(message(*segments))
    assert caught.value.code == code and reason in caught.value.reason


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
