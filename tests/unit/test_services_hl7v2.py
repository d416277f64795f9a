"""HL7 v2 encoding (services/common/hl7v2.py): delimiters, escape sequences, segments and fields."""

from __future__ import annotations

import hl7 as python_hl7
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.hl7v2 import STANDARD, Delimiters, EncodingError, split_message

SETTINGS = settings(max_examples=300, deadline=None)
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
# Five distinct characters, none a letter, a digit or a line break: any message's own delimiters.
DELIMITERS = st.lists(
    st.characters(codec="utf-8").filter(lambda c: c not in "\r\n" and not (c.isascii() and c.isalnum())),
    min_size=5,
    max_size=5,
    unique=True,
).map(lambda c: Delimiters(*c))


@pytest.mark.parametrize(
    ("escaped", "plain"),
    [
        ("a\\F\\b", "a|b"),
        ("a\\S\\b", "a^b"),
        ("a\\T\\b", "a&b"),
        ("a\\R\\b", "a~b"),
        ("a\\E\\b", "a\\b"),
        ("\\X0D\\\\X0A\\", "\r\n"),
        ("\\XC3A9\\", "é"),  # UTF-8 bytes in hexadecimal
        ("line\\.br\\two", "line\\.br\\two"),  # FT formatting: not ours to interpret, kept
        ("\\H\\bold\\N\\", "\\H\\bold\\N\\"),
        ("\\XC3\\", "\\XC3\\"),  # half a UTF-8 character: kept as written
        ("a\\b", "a\\b"),  # an escape character without its closing one
        ("\\", "\\"),
        ("plain", "plain"),
    ],
)
def test_values_are_read_unescaped_and_unknown_sequences_kept(escaped: str, plain: str) -> None:
    assert STANDARD.unescape(escaped) == plain


def test_escaping_writes_every_delimiter_and_line_break_as_its_sequence() -> None:
    assert STANDARD.escape("a|b^c&d~e\\f\rg\nh") == "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X0D\\g\\X0A\\h"
    assert STANDARD.escape("é, 5.4 mmol/L") == "é, 5.4 mmol/L"


@SETTINGS
@given(DELIMITERS, TEXT)
def test_any_text_escaped_with_any_delimiters_comes_back_whole(delimiters: Delimiters, text: str) -> None:
    escaped = delimiters.escape(text)
    assert not {delimiters.field_sep, delimiters.component_sep, delimiters.repetition_sep} & set(escaped)
    assert delimiters.subcomponent_sep not in escaped and "\r" not in escaped and "\n" not in escaped
    assert delimiters.unescape(escaped) == text


@SETTINGS
@given(TEXT)
def test_python_hl7_reads_our_escaping_as_we_do(text: str) -> None:
    message = python_hl7.parse("MSH|^~\\&|A|B|C|D|20261107||ORU^R01|1|P|2.5\rNTE|1||x")
    assert message.unescape(STANDARD.escape(text)) == text


def test_the_delimiters_are_those_msh_declares_with_the_standard_ones_for_the_rest() -> None:
    assert Delimiters.declared_by("MSH#!~\\&#A") == Delimiters("#", "!", "~", "\\", "&")
    assert Delimiters.declared_by("MSH|^~|A|B") == STANDARD
    assert Delimiters.declared_by("MSH|^~\\&#|A") == STANDARD  # v2.7's truncation character is not ours


@pytest.mark.parametrize("msh", ["MSH|^^\\&|A", "MSH^^~\\&^A", "MSH\\^~\\&\\A", "MSH&^~\\&&A", "MSH|S~\\&|A"])
def test_delimiters_that_collide_cannot_be_read(msh: str) -> None:
    with pytest.raises(EncodingError, match="five distinct characters"):
        Delimiters.declared_by(msh)


def test_a_field_repeats_and_a_value_is_the_first_repetitions_component() -> None:
    field = "P1&X^^^CHU^MR~P2^^^NHS"
    assert STANDARD.repetitions(field) == ["P1&X^^^CHU^MR", "P2^^^NHS"]
    assert STANDARD.value(field) == "P1"  # the first subcomponent, too
    assert STANDARD.value(field, 4) == "CHU"
    assert STANDARD.value(field, 9) == ""
    assert STANDARD.value("") == ""
    assert STANDARD.value("~P2") == ""


def test_a_message_splits_at_cr_or_lf_into_numbered_fields() -> None:
    message = split_message(
        "MSH|^~\\&|AN01|BIOLOGY|||||ORU^R01|C-1|P|2.5\r\nPID|1||P1\n\nOBX|1|NM\rOBX|2|ST\r"
    )
    assert [s.name for s in message.segments] == ["MSH", "PID", "OBX", "OBX"]
    header = message.header
    assert (header.field(1), header.field(2), header.field(3), header.field(10)) == (
        "|",
        "^~\\&",
        "AN01",
        "C-1",
    )
    assert header.field(40) == "" and header.field(0) == ""
    assert message.first("PID") is not None and message.first("PID").field(3) == "P1"  # type: ignore[union-attr]
    assert [o.field(2) for o in message.all("OBX")] == ["NM", "ST"] and message.first("ZZZ") is None


@pytest.mark.parametrize("text", ["", "\r\n", "PID|1||P1\rMSH|^~\\&|A", "MSH|^~\\", "MSA|AA|1"])
def test_text_that_does_not_start_with_an_msh_is_not_hl7(text: str) -> None:
    with pytest.raises(EncodingError, match="does not start with an MSH segment"):
        split_message(text)


@SETTINGS
@given(st.text(max_size=300))
def test_any_text_splits_or_is_refused_as_not_hl7(text: str) -> None:
    try:
        message = split_message(text)
    except EncodingError:
        return
    assert message.header.name == "MSH" and all("\r" not in f for s in message.segments for f in s.fields)
