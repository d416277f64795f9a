"""Fuzzing the lab gateway's edge: MLLP framing and HL7 parsing never crash, hang or lie.

Whatever bytes an analyser (or anything on the network) sends, the gateway
answers with a parsed result or a refusal (AE/AR with a reason), never an
exception; its ACK always names the control id it answers, and our ACK
reader (the analysers' and the workload's) reads back what it wrote.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.common import mllp
from services.common.ack import build_ack, read_ack
from services.common.hl7v2 import STANDARD
from services.lab_gateway.validation import Refused, Result, parse

SETTINGS = settings(max_examples=300, deadline=None)
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
SEPARATORS = st.sampled_from(["|", "#", "!", "^", "~", "\\", "&", "\x0b", " ", "é"])


def message(sep: str, control_id: str, kind: str, version: str, patient: str, order: str, tail: str) -> bytes:
    segments = [
        f"MSH{sep}^~\\&{sep}AN01{sep}BIOLOGY{sep}LABGW{sep}CHU{sep}20251107{sep}{sep}{kind}{sep}{control_id}{sep}P{sep}{version}",
        f"PID{sep}1{sep}{sep}{patient}",
        f"OBR{sep}1{sep}{order}{sep}{order}{sep}GLU{tail}",
        f"OBX{sep}1{sep}NM{sep}GLU{sep}{sep}5.4",
    ]
    return "\r".join(segments).encode("utf-8", "surrogatepass")


def answer(payload: bytes) -> Result | Refused:
    try:
        return parse(payload)
    except Refused as refused:
        assert refused.code in ("AE", "AR") and refused.reason
        return refused


@SETTINGS
@given(st.binary(max_size=2000))
def test_any_bytes_are_parsed_or_refused(payload: bytes) -> None:
    answer(payload)


@SETTINGS
@given(
    SEPARATORS,
    TEXT,
    st.sampled_from(["ORU^R01", "ORU^R01^ORU_R01", "ADT^A01", "", "ORU"]),
    st.sampled_from(["2.5", "2.3", ""]),
    TEXT,
    TEXT,
    TEXT,
)
def test_near_valid_messages_are_parsed_or_refused(
    sep: str, control_id: str, kind: str, version: str, patient: str, order: str, tail: str
) -> None:
    found = answer(message(sep, control_id, kind, version, patient, order, tail))
    if isinstance(found, Result):
        assert found.control_id and found.patient and found.order
        assert len(found.priority) == 1


@SETTINGS
@given(st.lists(st.binary(max_size=300), max_size=8))
def test_any_stream_is_framed_or_refused_and_never_grows_unbounded(chunks: list[bytes]) -> None:
    buffer = bytearray()
    try:
        for chunk in chunks:
            for payload in mllp.read_frame(buffer, chunk):
                assert mllp.START not in payload[:1]
    except mllp.FramingError:
        return
    assert len(buffer) <= mllp.MAX_MESSAGE + 3


@SETTINGS
@given(st.text(max_size=500).filter(lambda t: "\x1c" not in t), st.integers(min_value=1, max_value=7))
def test_a_framed_message_comes_back_whole_however_it_is_cut(text: str, pieces: int) -> None:
    data = mllp.frame(text)
    buffer, payloads = bytearray(), []
    step = max(1, len(data) // pieces)
    for start in range(0, len(data), step):
        payloads += mllp.read_frame(buffer, data[start : start + step])
    assert payloads == [text.encode("utf-8")]


@SETTINGS
@given(st.sampled_from(["AA", "AE", "AR"]), TEXT.filter(bool), TEXT, TEXT)
def test_an_ack_always_names_the_control_id_it_answers(
    code: str, control_id: str, reason: str, receiver: str
) -> None:
    text = build_ack(code, control_id, reason, receiver)
    segments = text.split("\r")
    msh = segments[0].split("|")
    msa = segments[1].split("|")
    assert segments[0].startswith("MSH|") and msh[8] == "ACK^R01^ACK" and len(msh) == 12
    assert msa[0] == "MSA" and msa[1] == code and len(msa) == 4
    assert STANDARD.unescape(msa[2]) == control_id
    ack = read_ack(text.encode())
    assert ack is not None and (ack.code, ack.control_id, ack.text) == (code, control_id, reason[:200])
