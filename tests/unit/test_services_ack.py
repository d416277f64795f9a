"""HL7 acknowledgements (services/common/ack.py): the gateway's exact ACKs, read by us and by python-hl7."""

from __future__ import annotations

import re

import hl7 as python_hl7
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.ack import build_ack, read_ack

HEADER = re.compile(
    r"^MSH\|\^~\\&\|LABGW\|CHU\|(?P<receiver>[^|]*)\|BIOLOGY\|\d{14}\|\|ACK\^R01\^ACK\|ACK\d{8}\|P\|2\.5$"
)


def test_an_aa_has_no_err_segment_and_answers_the_sender() -> None:
    header, msa, end = build_ack("AA", "C-1", receiver="AN01").split("\r")
    found = HEADER.match(header)
    assert found is not None and found["receiver"] == "AN01"
    assert (msa, end) == ("MSA|AA|C-1|", "")


def test_a_refusal_explains_itself_in_msa_3_and_err_8_escaped() -> None:
    header, msa, err, end = build_ack("AE", "C-2", "no OBX | here").split("\r")
    found = HEADER.match(header)
    assert found is not None and found["receiver"] == "ANALYSER"
    assert (msa, err, end) == ("MSA|AE|C-2|no OBX \\F\\ here", "ERR||||E|||no OBX \\F\\ here", "")


def test_the_reason_is_cut_at_200_characters_and_every_ack_has_its_own_id() -> None:
    first, second = build_ack("AR", "C-3", "x" * 500), build_ack("AR", "C-3", "x" * 500)
    assert "MSA|AR|C-3|" + "x" * 200 + "\r" in first
    assert first.split("\r")[0].split("|")[9] != second.split("\r")[0].split("|")[9]


def test_a_sender_name_or_control_id_with_delimiters_cannot_reshape_the_ack() -> None:
    header, msa, _ = build_ack("AA", "C|4^x", receiver="AN|01\r").split("\r")
    assert header.split("|")[4] == "AN\\F\\01\\X0D\\" and msa == "MSA|AA|C\\F\\4\\S\\x|"


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["AA", "AE", "AR"]),
    st.text(min_size=1, max_size=30),
    st.text(alphabet=st.characters(codec="ascii", min_codepoint=0x20, max_codepoint=0x7E), max_size=60),
)
def test_python_hl7_reads_our_acks_as_we_do(code: str, control_id: str, reason: str) -> None:
    text = build_ack(code, control_id, reason)
    theirs = python_hl7.parse(text).segment("MSA")
    ours = read_ack(text.encode())
    assert ours is not None and (ours.code, ours.control_id, ours.text) == (code, control_id, reason)
    assert str(theirs(1)) == code
    # python-hl7 strips the whitespace that ends the message: MSA-3 ends an AA (no ERR follows).
    expected = reason.rstrip() if code == "AA" else reason
    assert python_hl7.parse(text).unescape(str(theirs(3))) == expected


def test_an_ack_in_other_delimiters_is_read_with_them() -> None:
    ack = read_ack(b"MSH#!~\\&#LABGW#CHU\rMSA#AE#C\\F\\1#bad \\S\\ value\r")
    assert ack is not None and (ack.code, ack.control_id, ack.text) == ("AE", "C#1", "bad ! value")


@pytest.mark.parametrize("payload", [b"", b"MSA|AA|C-1|", b"MSH|^~\\&|LABGW\rNTE|1\r", b"\xff\xfe"])
def test_an_answer_without_msh_or_msa_is_no_ack(payload: bytes) -> None:
    assert read_ack(payload) is None
