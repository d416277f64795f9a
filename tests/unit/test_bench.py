"""The benchmarks' own logic: the compose file of the stack, distributions, the README table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drill.bench.compose_file import compose_document, write_compose_file
from drill.bench.footprint import _mib
from drill.bench.readme import BEGIN, END, render, write_readme
from drill.bench.run import gameday_distributions
from drill.bench.tls_cost import _row as tls_row
from drill.cli import parse_args
from drill.errors import BenchError
from drill.records.bench import BenchResults
from drill.stats import distribution
from infra.config import load_stack_spec
from infra.declared import declare
from tests.unit.test_config import GOOD
from tests.unit.test_program import IMAGES, SECRETS

SPEC = load_stack_spec("unit", GOOD)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return compose_document(SPEC, IMAGES)


def test_the_compose_file_has_every_container_of_the_stack_with_the_same_image(
    document: dict[str, Any],
) -> None:
    declared = declare(SPEC, IMAGES, SECRETS).of_type("docker:index/container:Container")
    images = sorted(str(d.inputs["image"]) for d in declared.values())
    assert sorted(s["image"] for s in document["services"].values()) == images
    # Its own names and labels: it never collides with the stack drill deploys.
    assert all(name.startswith("hdrp-unit-compose-") for name in document["services"])
    assert {s["labels"]["hospital.stack"] for s in document["services"].values()} == {"unit-compose"}


def test_the_compose_file_keeps_ports_on_loopback_and_storage_networks_internal(
    document: dict[str, Any],
) -> None:
    ports = [port for s in document["services"].values() for port in s.get("ports", [])]
    assert ports and all(port.startswith("127.0.0.1:") for port in ports)
    assert document["networks"]["hdrp-unit-compose-nord-1-san"]["internal"] is True
    assert "internal" not in document["networks"]["hdrp-unit-compose-access"]


def test_the_compose_file_orders_containers_as_the_program_does(document: dict[str, Any]) -> None:
    services = document["services"]
    vault = services["hdrp-unit-compose-vault-bellevue"]
    assert vault["depends_on"] == {"hdrp-unit-compose-postgres-nord-1": {"condition": "service_healthy"}}
    assert "depends_on" not in services["hdrp-unit-compose-postgres-nord-1"]
    # The booking app names only the array; the program also makes it wait for the vault.
    assert sorted(services["hdrp-unit-compose-appointments-nord-1"]["depends_on"]) == [
        "hdrp-unit-compose-postgres-nord-1",
        "hdrp-unit-compose-vault-bellevue",
    ]


def test_the_compose_file_has_fresh_secrets_as_read_only_files(document: dict[str, Any]) -> None:
    array = document["services"]["hdrp-unit-compose-postgres-nord-1"]
    targets = {c["target"]: c for c in array["configs"]}
    password = targets["/run/secrets/postgres_password"]
    assert password["mode"] == 0o400
    content = document["configs"][password["source"]]["content"]
    assert len(content) >= 24 and content not in SECRETS.values()
    assert compose_document(SPEC, IMAGES)["configs"][password["source"]]["content"] != content


def test_dollar_signs_reach_the_container_as_written(document: dict[str, Any]) -> None:
    checks = [s["healthcheck"]["test"][-1] for s in document["services"].values() if "healthcheck" in s]
    balancer = next(check for check in checks if "/lb-health" in check)  # the intranet balancers' check
    assert "$$status" in balancer and "$status" not in balancer.replace("$$", "")


def test_the_compose_file_is_written_for_its_owner_only(tmp_path: Path) -> None:
    path = write_compose_file(SPEC, IMAGES, tmp_path / "bench")
    assert path.stat().st_mode & 0o777 == 0o600
    assert "services:" in path.read_text()


def test_distribution_gives_quartiles_and_spread() -> None:
    found = distribution([5.0, 1.0, 3.0, 2.0, 4.0])
    assert found == {"n": 5, "min": 1.0, "q1": 2.0, "median": 3.0, "q3": 4.0, "max": 5.0, "spread": 4.0}
    assert distribution([7.0])["spread"] == 0.0
    assert distribution([]) == {}


@pytest.mark.parametrize(
    ("text", "mib"), [("12.5MiB", 12.5), ("1.5GiB", 1536.0), ("512KiB", 0.5), ("0B", 0.0)]
)
def test_docker_stats_memory_sizes_are_read_in_mib(text: str, mib: float) -> None:
    assert _mib(text) == mib


def test_an_unreadable_memory_size_is_a_clear_error() -> None:
    with pytest.raises(BenchError, match="cannot read: '12 parsecs'"):
        _mib("12 parsecs")


RESULTS = {
    "machine": {
        "cores": 2,
        "memory_gib": 23.4,
        "kernel": "6.1",
        "dockerd": "20.10",
        "hyperfine": "hyperfine 1.15.0",
    },
    "standup": {
        "reps": 5,
        "containers": 14,
        "up": {
            "drill up": distribution([40.0, 42.0, 41.0]),
            "docker compose up -d --wait": distribution([30.0]),
        },
        "down": {"drill down": distribution([20.0]), "docker compose down -v": distribution([12.0])},
    },
    "restore": {
        "sizes": [
            {
                "target_mb": 10,
                "cold_cache": True,
                "data_mb": 10.2,
                "vault_bytes": 50_000_000,
                "rows": 100,
                "restore_s": 4.0,
                "copy_s": 0.5,
                "restore_mb_per_s": 12.5,
                "copy_mb_per_s": 100.0,
                "ratio": 8.0,
            }
        ]
    },
}


def test_the_readme_table_shows_each_measured_part() -> None:
    text = render(BenchResults.model_validate(RESULTS), "2026-11-28.json")
    assert "| `drill up` | 41 | 40 - 42 | 2 |" in text
    assert "| 10.2 | 50 | 100 | 4 | 0.5 | 12.5 | 100 | 8 |" in text
    assert "Footprint" not in text  # not measured, not shown


def test_the_readme_section_is_replaced_and_the_rest_kept(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Benchmarks\n\nhand-written\n\n{BEGIN}\nold\n{END}\n\nfooter\n")
    results = tmp_path / "2026-11-28.json"
    results.write_text(json.dumps(RESULTS))
    write_readme(results, readme)
    write_readme(results, readme)
    text = readme.read_text()
    assert text.startswith("# Benchmarks\n\nhand-written") and text.endswith("footer\n")
    assert "old" not in text and text.count(BEGIN) == 1 and text.count("`drill up`") == 1


def test_the_readme_keeps_each_parts_newest_run_across_days(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Benchmarks\n\n{BEGIN}\n{END}\n")
    (tmp_path / "2026-11-28.json").write_text(json.dumps(RESULTS))
    later = json.loads(json.dumps(RESULTS))
    del later["standup"]
    later["restore"]["sizes"][0]["restore_s"] = 2.0
    tls = {"link": "SMTP", "exchange": "EHLO", "added_ms": 3.4, "ratio": 2.8}
    tls |= {"plain_ms": {"median": 1.9}, "tls_ms": {"median": 5.3}}
    later["tls"] = {"reps": 120, "links": [tls]}
    (tmp_path / "2026-12-01.json").write_text(json.dumps(later))
    write_readme(tmp_path / "2026-12-01.json", readme)
    text = readme.read_text()
    standup, restore = text.index("### Stand-up"), text.index("### PostgreSQL restore")
    assert text.index("`bench/results/2026-11-28.json`", standup) < restore  # only the older has it
    assert text.index("`bench/results/2026-12-01.json`", restore) > restore
    assert "| 10.2 | 50 | 100 | 2 |" in text and "| 4 | 0.5 |" not in text  # the newer restore
    assert "| SMTP | EHLO | 1.9 | 5.3 | 3.4 | 2.8 |" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bench", "--parts", "standup,speed"], "parts are standup, footprint, tls, restore, gamedays"),
        (["bench", "--sizes-mb", "10,lots"], "not a list of whole numbers of MB"),
        (["bench", "--sizes-mb", "0"], "every size must be at least 1 MB"),
    ],
)
def test_bad_bench_arguments_are_named(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parse_args(argv)
    assert message in capsys.readouterr().err


def test_bench_arguments_parse() -> None:
    args = parse_args(["bench", "--parts", "restore", "--sizes-mb", "10,100"])
    assert args.parts == ["restore"] and args.sizes_mb == [10, 100] and args.reps == 5


def soak_run(rto: float, lost: int) -> dict[str, Any]:
    return {
        "run_id": f"gd-{rto:g}",
        "passed": lost == 0,
        "seconds": 150.0 + rto,
        "phases": {"fault to plan": 5.0, "plan: re-point the services": rto / 2},
        "rto_s": {"appointments": rto, "intranet": 0.0},
        "acked": {"appointments": 20, "intranet": 160},
        "lost": {"appointments": lost, "intranet": 0},
    }


def test_game_day_distributions_come_from_a_soak_report(tmp_path: Path) -> None:
    report = {
        "experiment": "storage-failure",
        "runs": [soak_run(50.0, 0), soak_run(60.0, 0), soak_run(70.0, 1)],
        "passed": 2,
        "lost": 1,
        "acked": 540,
        "left_after_down": [],
        "shaped_left": [],
    }
    path = tmp_path / "soak-20261128T000000Z.json"
    path.write_text(json.dumps(report))
    found = gameday_distributions(path)
    assert found.runs == 3 and found.passed == 2 and found.lost_total == 1
    assert found.rto_s["appointments"]["median"] == 60.0 and found.rto_s["appointments"]["spread"] == 20.0
    assert found.phases_s["plan: re-point the services"]["max"] == 35.0
    assert found.lost["appointments"]["max"] == 1.0
    text = render(BenchResults(gamedays=found), "x.json")
    assert "| RTO appointments (s) | 60 | 50 - 70 | 20 |" in text
    assert "3 storage-failure game days in a row (2 passed, 1 of 540" in text


def test_a_file_that_is_not_a_soak_report_is_named(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    path.write_text("{}")
    with pytest.raises(BenchError, match=r"summary.json is not a soak report .* give a reports/soak-"):
        gameday_distributions(path)


def test_a_tls_row_compares_medians_or_names_the_handshake_alone() -> None:
    both = tls_row("MLLP", "ORU", [2.0, 3.0, 100.0], [5.0, 6.0, 7.0])
    assert (both.added_ms, both.ratio) == (3.0, 2.0)  # medians: 6 - 3, 6 / 3; the outlier does not move them
    only = tls_row("HTTPS", "GET", [], [8.0, 9.0, 10.0], added=2.5)
    assert (only.plain_ms, only.added_ms, only.ratio) == ({}, 2.5, None)
