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


def render(results: dict[str, Any], name: str) -> str:
    """The markdown of every part the results hold."""
    machine = results.get("machine", {})
    out = [
        f"Results of `bench/results/{name}` on {machine.get('cores')} cores, {machine.get('memory_gib')} GiB,"
        f" kernel {machine.get('kernel')}, dockerd {machine.get('dockerd')}; {machine.get('hyperfine')}.",
        "",
    ]
    if standup := results.get("standup"):
        out += [
            f"### Stand-up and tear-down ({standup['containers']} containers,"
            f" {standup['reps']} runs each, seconds)",
            "",
            "| command | median | min - max | spread |",
            "|---|---|---|---|",
        ]
        for phase in ("up", "down"):
            out += [
                f"| `{command}` | {' | '.join(_d(values))} |" for command, values in standup[phase].items()
            ]
        out.append("")
    if footprint := results.get("footprint"):
        out += [
            f"### Footprint of the whole replica ({footprint['idle']['containers']} containers)",
            "",
            "| state | memory MiB (median) | min - max | CPU % of one core (median) | min - max |",
            "|---|---|---|---|---|",
        ]
        for state in ("idle", "workload"):
            row = footprint[state]
            memory, cpu = _d(row["memory_mib"]), _d(row["cpu_percent_of_one_core"])
            label = state if state == "idle" else f"workload {row['rate_per_s']:g} op/s"
            out.append(f"| {label} | {memory[0]} | {memory[1]} | {cpu[0]} | {cpu[1]} |")
        out.append("")
    if restore := results.get("restore"):
        out += [
            "### PostgreSQL restore from the vault against data size",
            "",
            "| data MB | vault MB read | rows | restore s | raw copy s | restore MB/s | copy MB/s | ratio |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in restore["sizes"]:
            out.append(
                f"| {_n(row['data_mb'])} | {row['vault_bytes'] / 1e6:.0f} | {row['rows']}"
                f" | {_n(row['restore_s'])} | {_n(row['copy_s'])} | {_n(row['restore_mb_per_s'])}"
                f" | {_n(row['copy_mb_per_s'])} | {_n(row['ratio'])} |"
            )
        out.append("")
    if gamedays := results.get("gamedays"):
        out += [
            f"### {gamedays['runs']} {gamedays.get('experiment')} game days in a row"
            f" ({gamedays['passed']} passed,"
            f" {gamedays['lost_total']} of {gamedays['acked_total']} acknowledged writes lost;"
            f" `reports/{gamedays.get('soak_report')}`)",
            "",
            "| measure | median | min - max | spread |",
            "|---|---|---|---|",
            f"| whole game day (s) | {' | '.join(_d(gamedays['seconds']))} |",
        ]
        out += [f"| phase: {phase} (s) | {' | '.join(_d(v))} |" for phase, v in gamedays["phases_s"].items()]
        out += [f"| RTO {service} (s) | {' | '.join(_d(v))} |" for service, v in gamedays["rto_s"].items()]
        for service in gamedays["acked"]:
            acked, lost = _d(gamedays["acked"][service]), _d(gamedays["lost"][service])
            out.append(
                f"| {service} acked / lost per game day | {acked[0]} / {lost[0]}"
                f" | {acked[1]} / {lost[1]} | - |"
            )
        out.append("")
    return "\n".join(out)
