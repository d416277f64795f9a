"""Fuzzing the loaders of what users write: stack config, recovery plans, experiments, run summaries.

Whatever they hold, each loader gives its typed result or its own error
naming the problem (a DrillError), never another exception and never a hang.
"""

from __future__ import annotations

import json
from pathlib import Path
from tempfile import TemporaryDirectory

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from drill.errors import DrillError
from drill.gameday import experiments
from drill.records.summary import load_summary
from drill.recovery.plan import load_plan
from infra.config import SECTIONS, load_stack_spec

SETTINGS = settings(max_examples=200, deadline=None)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
ROOM_NAMES = st.sampled_from(["nord-1", "nord-2", "bellevue", "Nord 1", "", "x" * 40])
ROOMS = st.dictionaries(
    ROOM_NAMES, st.dictionaries(st.sampled_from(["site", "docker_host", "x"]), VALUES, max_size=2)
)
KEYS = st.sampled_from([*SECTIONS, "postgres_password", "other"])
FIELDS = st.sampled_from(
    [
        "room",
        "replicas",
        "balancers",
        "ports",
        "port",
        "array_room",
        "mailboxes",
        "domain",
        "rate_per_s",
        "stat_share",
        "analysers",
        "smtp_port",
        "imap_port",
        "mllp_port",
        "api_port",
        "base_backup_interval_s",
        "appointments_rto_s",
        "stat_delivery_s",
        "without_partial",
        "x",
    ]
)
SECTION_VALUES = (
    st.dictionaries(FIELDS, VALUES | ROOM_NAMES | st.lists(ROOM_NAMES, max_size=3), max_size=6) | VALUES
)


@SETTINGS
@given(st.dictionaries(KEYS, SECTION_VALUES, max_size=8), ROOMS, st.text(max_size=12))
def test_any_stack_config_gives_a_spec_or_a_config_error(
    raw: dict[str, object], rooms: dict[str, object], stack: str
) -> None:
    try:
        load_stack_spec(stack or "ci", {**raw, "rooms": rooms})
    except DrillError as error:
        assert error.fix


@SETTINGS
@given(VALUES)
def test_any_plan_file_gives_a_plan_or_a_plan_error(raw: object) -> None:
    with TemporaryDirectory() as folder:
        path = Path(folder) / "plan.yaml"
        path.write_text(yaml.safe_dump(raw))
        try:
            load_plan(path, frozenset({"none"}), frozenset({"check"}))
        except DrillError as error:
            assert "plan.yaml" in str(error)


EXTENSIONS = st.lists(
    st.fixed_dictionaries({"name": st.just("hospital-drp") | VALUES, "expect": VALUES}) | VALUES, max_size=3
)
EXPERIMENT_LIKE = st.fixed_dictionaries({"title": VALUES, "extensions": EXTENSIONS | VALUES}).map(json.dumps)


@SETTINGS
@given(st.text(max_size=200) | VALUES.map(json.dumps) | EXPERIMENT_LIKE)
def test_any_experiment_file_gives_an_experiment_or_an_experiment_error(text: str) -> None:
    with TemporaryDirectory() as folder:
        original = experiments.EXPERIMENTS
        experiments.EXPERIMENTS = Path(folder)
        try:
            (Path(folder) / "fuzzed.json").write_text(text)
            experiments.load_experiment("fuzzed")
        except DrillError as error:
            assert "fuzzed.json" in str(error)
        finally:
            experiments.EXPERIMENTS = original


TIMES = st.floats(0, 2e9) | VALUES
SUMMARY_LIKE = st.fixed_dictionaries(
    {
        "run_id": VALUES | st.just("gd-1"),
        "experiment": VALUES | st.just("storage-failure"),
        "started_at": TIMES,
        "ended_at": TIMES,
        "passed": VALUES,
        "reasons": VALUES,
        "intranet_requests": VALUES,
        "intranet_failed_requests": VALUES,
        "services": st.dictionaries(
            st.text(max_size=8),
            st.dictionaries(st.sampled_from(["rto_s", "acked", "lost", "restored"]), VALUES, max_size=4),
            max_size=3,
        )
        | VALUES,
        "steps": st.lists(
            st.dictionaries(st.sampled_from(["name", "status", "seconds"]), VALUES, max_size=3), max_size=3
        )
        | VALUES,
        "stat": VALUES,
    }
).map(json.dumps)


@SETTINGS
@given(st.text(max_size=200) | VALUES.map(json.dumps) | SUMMARY_LIKE)
def test_any_summary_gives_a_summary_or_a_summary_error(text: str) -> None:
    with TemporaryDirectory() as folder:
        path = Path(folder) / "summary.json"
        path.write_text(text)
        try:
            load_summary(path)
        except DrillError as error:
            assert "summary.json" in str(error)
