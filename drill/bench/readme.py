"""bench/README.md's results section, written from a results file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parent.parent.parent / "bench" / "README.md"
BEGIN = "<!-- results: begin (written by `make bench`) -->"
END = "<!-- results: end -->"


def write_readme(results_file: Path, readme: Path = README) -> None:
    """Replace the section between the markers with tables of results_file."""
    text = readme.read_text()
    if BEGIN not in text or END not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    body = render(json.loads(results_file.read_text()), results_file.name)
    readme.write_text(f"{head}{BEGIN}\n{body}\n{END}{tail}")


def _n(value: float) -> str:
    """A measured number as a table shows it: whole from 100, one decimal from 10, else two."""
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{round(value, digits):g}"


def _d(values: dict[str, float]) -> list[str]:
    """median, min - max and spread of a distribution as table cells."""
    if not values:
        return ["-", "-", "-"]
    return [_n(values["median"]), f"{_n(values['min'])} - {_n(values['max'])}", _n(values["spread"])]


def _table(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    """A markdown section: its title, then one table."""
    lines = [f"| {' | '.join(cells)} |" for cells in [header, *rows]]
    return [f"### {title}", "", lines[0], "|" + "---|" * len(header), *lines[1:], ""]


def render(results: dict[str, Any], name: str) -> str:
    """The markdown of every part the results hold."""
    machine = results.get("machine", {})
    out = [
        f"Results of `bench/results/{name}` on {machine.get('cores')} cores, {machine.get('memory_gib')} GiB,"
        f" kernel {machine.get('kernel')}, dockerd {machine.get('dockerd')}; {machine.get('hyperfine')}.",
        "",
    ]
    if standup := results.get("standup"):
        out += _table(
            f"Stand-up and tear-down ({standup['containers']} containers,"
            f" {standup['reps']} runs each, seconds)",
            ["command", "median", "min - max", "spread"],
            [[f"`{command}`", *_d(v)] for phase in ("up", "down") for command, v in standup[phase].items()],
        )
    if footprint := results.get("footprint"):
        rows = []
        for state in ("idle", "workload"):
            row = footprint[state]
            memory, cpu = _d(row["memory_mib"]), _d(row["cpu_percent_of_one_core"])
            label = state if state == "idle" else f"workload {row['rate_per_s']:g} op/s"
            rows.append([label, memory[0], memory[1], cpu[0], cpu[1]])
        out += _table(
            f"Footprint of the whole replica ({footprint['idle']['containers']} containers)",
            ["state", "memory MiB (median)", "min - max", "CPU % of one core (median)", "min - max"],
            rows,
        )
    if restore := results.get("restore"):
        out += _table(
            "PostgreSQL restore from the vault against data size",
            [
                "data MB",
                "vault MB read",
                "rows",
                "restore s",
                "raw copy s",
                "restore MB/s",
                "copy MB/s",
                "ratio",
            ],
            [
                [_n(row["data_mb"]), f"{row['vault_bytes'] / 1e6:.0f}", str(row["rows"])]
                + [
                    _n(row[key])
                    for key in ("restore_s", "copy_s", "restore_mb_per_s", "copy_mb_per_s", "ratio")
                ]
                for row in restore["sizes"]
            ],
        )
    if gamedays := results.get("gamedays"):
        rows = [["whole game day (s)", *_d(gamedays["seconds"])]]
        rows += [[f"phase: {phase} (s)", *_d(v)] for phase, v in gamedays["phases_s"].items()]
        rows += [[f"RTO {service} (s)", *_d(v)] for service, v in gamedays["rto_s"].items()]
        for service in gamedays["acked"]:
            acked, lost = _d(gamedays["acked"][service]), _d(gamedays["lost"][service])
            rows.append(
                [
                    f"{service} acked / lost per game day",
                    *(f"{a} / {b}" for a, b in zip(acked[:2], lost[:2], strict=True)),
                    "-",
                ]
            )
        out += _table(
            f"{gamedays['runs']} {gamedays.get('experiment')} game days in a row"
            f" ({gamedays['passed']} passed,"
            f" {gamedays['lost_total']} of {gamedays['acked_total']} acknowledged writes lost;"
            f" `reports/{gamedays.get('soak_report')}`)",
            ["measure", "median", "min - max", "spread"],
            rows,
        )
    return "\n".join(out)
