"""The Debian mirror is read from apt's own configuration, never written in the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from drill.toolchain import debian


def test_deb822_sources_give_the_main_mirror_not_security(tmp_path: Path) -> None:
    sources = tmp_path / "debian.sources"
    sources.write_text(
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n\n"
        "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n"
    )
    assert debian._mirror_in(str(sources)) == "http://mirror.example/debian"


def test_one_line_sources_with_options(tmp_path: Path) -> None:
    sources = tmp_path / "sources.list"
    sources.write_text("# comment\ndeb [signed-by=/k.gpg] http://mirror.example/debian bookworm main\n")
    assert debian._mirror_in(str(sources)) == "http://mirror.example/debian"


def test_override_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSPITAL_DRP_DEBIAN_MIRROR", "http://internal.example/debian")
    assert debian.debian_mirror() == "http://internal.example/debian"


def test_missing_file_gives_none(tmp_path: Path) -> None:
    assert debian._mirror_in(str(tmp_path / "absent")) is None
