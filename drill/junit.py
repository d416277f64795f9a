"""JUnit XML for resilience runs, so that CI systems show a game day or a matrix as tests.

One test case per check of a game day's verdict, one per cell of a matrix;
a failed one carries the message of what was seen. Written with the
standard library's ElementTree; the schema is the common subset that
Jenkins, GitLab and GitHub's test reporters read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from drill.records.summary import GamedaySummary


@dataclass(frozen=True)
class Case:
    """One test case: its name, the group it belongs to, whether it passed, why not, how long."""

    name: str
    classname: str
    passed: bool
    message: str = ""
    seconds: float = 0.0


def write_junit(path: Path, suite: str, cases: Sequence[Case], seconds: float) -> None:
    """Write the cases as one JUnit testsuite named suite to path."""
    failures = sum(1 for case in cases if not case.passed)
    root = ET.Element(
        "testsuite",
        name=suite,
        tests=str(len(cases)),
        failures=str(failures),
        errors="0",
        skipped="0",
        time=f"{seconds:.1f}",
    )
    for case in cases:
        element = ET.SubElement(
            root, "testcase", name=case.name, classname=case.classname, time=f"{case.seconds:.1f}"
        )
        if not case.passed:
            failure = ET.SubElement(element, "failure", message=case.message[:500], type="verdict")
            failure.text = case.message
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def gameday_cases(summary: GamedaySummary) -> list[Case]:
    """The test cases of one game day: every check of its verdict."""
    classname = f"gameday.{summary.experiment}"
    return [Case(c.name, classname, c.passed, c.message) for c in summary.checks]
