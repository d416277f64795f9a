"""bench/README.md's results section, written from a results file."""

from __future__ import annotations

from pathlib import Path

from drill.records.bench import PARTS, BenchResults, Footprint, Gamedays, Restore, Standup, TlsCost

README = Path(__file__).resolve().parent.parent.parent / "bench" / "README.md"
BEGIN = "<!-- results: begin (written by `make bench`) -->"
END = "<!-- results: end -->"


def write_readme(results_file: Path, readme: Path = README) -> None:
    """Replace the section between the markers with tables of each part's newest run among the
    results files beside results_file (a day's run of one part keeps the others' figures)."""
    text = readme.read_text()
    if BEGIN not in text or END not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    combined, sources = newest_parts(results_file.parent)
    body = render(combined, results_file.name, sources)
    readme.write_text(f"{head}{BEGIN}\n{body}\n{END}{tail}")


def newest_parts(folder: Path) -> tuple[BenchResults, dict[str, str]]:
    """Each part as the newest results file of folder that measured it (files are named by date),
    with the machine of the newest file; and which file each part comes from."""
    combined, sources = BenchResults(), dict[str, str]()
    for path in sorted(folder.glob("*.json")):
        found = BenchResults.read(path, f"move {path} aside, or run `make bench` again")
        update = {part: value for part in PARTS if (value := getattr(found, part)) is not None}
        combined = combined.model_copy(update={**update, "machine": found.machine})
        sources |= {part: path.name for part in update}
    return combined, sources


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


def render(results: BenchResults, name: str, sources: dict[str, str] | None = None) -> str:
    """The markdown of every part the results hold; sources names the file of each part when they
    come from several (newest_parts), else every part is of the file name."""
    machine = results.machine
    tools = f"; {machine.hyperfine}" if machine.hyperfine else ""
    out = [
        f"Results of `bench/results/{name}` and earlier runs on {machine.cores} cores,"
        f" {machine.memory_gib} GiB, kernel {machine.kernel}, dockerd {machine.dockerd}{tools}."
        " Each table is its part's newest run, from the file under its title.",
        "",
    ]
    tables = {
        "standup": _standup(results.standup) if results.standup else [],
        "footprint": _footprint(results.footprint) if results.footprint else [],
        "tls": _tls(results.tls) if results.tls else [],
        "restore": _restore(results.restore) if results.restore else [],
        "gamedays": _gamedays(results.gamedays) if results.gamedays else [],
    }
    for part, lines in tables.items():
        if lines:
            source = (sources or {}).get(part, name)
            out += [lines[0], "", f"`bench/results/{source}`", *lines[1:]]
    return "\n".join(out)


def _standup(standup: Standup) -> list[str]:
    commands = [*standup.up.items(), *standup.down.items()]
    return _table(
        f"Stand-up and tear-down ({standup.containers} containers, {standup.reps} runs each, seconds)",
        ["command", "median", "min - max", "spread"],
        [[f"`{command}`", *_d(v)] for command, v in commands],
    )


def _footprint(footprint: Footprint) -> list[str]:
    rows = []
    for state, row in (("idle", footprint.idle), ("workload", footprint.workload)):
        memory, cpu = _d(row.memory_mib), _d(row.cpu_percent_of_one_core)
        label = state if row.rate_per_s is None else f"workload {row.rate_per_s:g} op/s"
        rows.append([label, memory[0], memory[1], cpu[0], cpu[1]])
    return _table(
        f"Footprint of the whole replica ({footprint.idle.containers} containers)",
        ["state", "memory MiB (median)", "min - max", "CPU % of one core (median)", "min - max"],
        rows,
    )


def _tls(tls: TlsCost) -> list[str]:
    rows = [
        [
            link.link,
            link.exchange,
            _n(link.plain_ms["median"]) if link.plain_ms else "TLS only",
            _n(link.tls_ms["median"]),
            _n(link.added_ms),
            _n(link.ratio) if link.ratio is not None else "-",
        ]
        for link in tls.links
    ]
    return _table(
        f"What TLS adds per new connection ({tls.reps} of each, interleaved; medians in ms)",
        ["link", "each connection", "plain", "TLS", "added", "ratio"],
        rows,
    )


def _restore(restore: Restore) -> list[str]:
    return _table(
        "PostgreSQL restore from the vault against data size",
        ["data MB", "vault MB read", "rows", "restore s", "raw copy s", "restore MB/s", "copy MB/s", "ratio"],
        [
            [_n(row.data_mb), f"{row.vault_bytes / 1e6:.0f}", str(row.rows)]
            + [_n(v) for v in (row.restore_s, row.copy_s, row.restore_mb_per_s, row.copy_mb_per_s, row.ratio)]
            for row in restore.sizes
        ],
    )


def _gamedays(gamedays: Gamedays) -> list[str]:
    rows = [["whole game day (s)", *_d(gamedays.seconds)]]
    rows += [[f"phase: {phase} (s)", *_d(v)] for phase, v in gamedays.phases_s.items()]
    rows += [[f"RTO {service} (s)", *_d(v)] for service, v in gamedays.rto_s.items()]
    for service in gamedays.acked:
        acked, lost = _d(gamedays.acked[service]), _d(gamedays.lost.get(service, {}))
        pairs = (f"{a} / {b}" for a, b in zip(acked[:2], lost[:2], strict=True))
        rows.append([f"{service} acked / lost per game day", *pairs, "-"])
    return _table(
        f"{gamedays.runs} {gamedays.experiment} game days in a row ({gamedays.passed} passed,"
        f" {gamedays.lost_total} of {gamedays.acked_total} acknowledged writes lost;"
        f" `reports/{gamedays.soak_report}`)",
        ["measure", "median", "min - max", "spread"],
        rows,
    )
