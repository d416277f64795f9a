"""HL7 v2.5 value types (table 0125) and whether an observation value (OBX-5) fits the one OBX-2 declares.

Numbers, structured numbers, dates and times are checked; text and coded
types are taken as they are.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DATE = re.compile(r"^\d{4}(\d{2}(\d{2})?)?$")
_TIME = re.compile(r"^\d{2}(\d{2}(\d{2}(\.\d{1,4})?)?)?([+-]\d{4})?$")
_DATE_TIME = re.compile(r"^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2}(\.\d{1,4})?)?)?)?)?)?([+-]\d{4})?$")
_COMPARATORS = ("", ">", "<", ">=", "<=", "=", "<>")
_SN_SEPARATORS = ("", "-", "+", "/", ".", ":")
_DATES_AND_TIMES = {
    "DT": (_DATE, "YYYY[MM[DD]]"),
    "TM": (_TIME, "HH[MM[SS]]"),
    "DTM": (_DATE_TIME, "YYYYMMDD[HHMMSS]"),
    "TS": (_DATE_TIME, "YYYYMMDD[HHMMSS]"),
}
# HL7 v2.5 table 0125: the value types OBX-2 may declare.
VALUE_TYPES = frozenset(
    {
        *("AD", "CE", "CF", "CK", "CN", "CNE", "CP", "CWE", "CX", "DT", "DTM", "ED", "FT", "ID", "IS"),
        *("MA", "MO", "NA", "NM", "PN", "RP", "SN", "ST", "TM", "TN", "TS", "TX", "XAD", "XCN", "XON"),
        *("XPN", "XTN"),
    }
)


def is_number(text: str) -> bool:
    """Whether text is an HL7 NM: digits with an optional sign and decimal point, no exponent."""
    return _NUMBER.fullmatch(text) is not None


def value_problem(kind: str, parts: list[str]) -> str:
    """What is wrong with one OBX-5 value (its components, unescaped) for value type kind; "" when it fits."""
    if kind == "NM":
        return "" if len(parts) == 1 and is_number(parts[0]) else "expected a number such as 5.4"
    if kind == "SN":
        return (
            "" if fits_structured_number(parts) else "expected a structured number such as >^10 or ^1^:^128"
        )
    if kind in ("NA", "MA"):
        return "" if all(not p or is_number(p) for p in parts) else "expected numbers in its components"
    if kind == "MO":
        return "" if is_number(parts[0]) else "expected an amount such as 12.50^EUR"
    if kind in _DATES_AND_TIMES:
        pattern, layout = _DATES_AND_TIMES[kind]
        return "" if pattern.fullmatch(parts[0]) else f"expected a date or time as {layout}"
    return ""


def fits_structured_number(parts: list[str]) -> bool:
    """Whether components make an SN: [comparator]^[number]^[separator]^[number]."""
    comparator, first, separator, second = [*parts, "", "", "", ""][:4]
    numbers_fit = all(not n or is_number(n) for n in (first, second))
    return comparator in _COMPARATORS and separator in _SN_SEPARATORS and len(parts) <= 4 and numbers_fit
