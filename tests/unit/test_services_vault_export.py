"""The vault's restore set (services/common/vault_export.py): the newest complete base backup and the WAL
a restore from it reads, never a segment older than where its backup_label starts; sealed files
(`.age`) as well as clear ones, a file being sealed (`.age.tmp`) never, a file sealed since it was
listed sent sealed."""

from __future__ import annotations

import io
import tarfile
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.vault_export import older_segment, restore_set, sealed_if_gone, sendable, start_segment

SUFFIXES = ("", ".partial", ".age", ".age.tmp")  # clear, being written, sealed, being sealed
SEGMENTS = st.builds(
    lambda timeline, log, seg, suffix: f"{timeline:08X}{log:08X}{seg:08X}{suffix}",
    st.integers(1, 3),
    st.integers(0, 2),
    st.integers(0, 6),
    st.sampled_from(SUFFIXES),
)
NOT_SEGMENTS = ("00000002.history", "00000003.history", "00000003.history.age", "archive_status")
OTHERS = st.sampled_from(NOT_SEGMENTS)
BACKUPS = st.builds(
    lambda day, partial: f"202611{day:02d}T000000Z" + (".partial" if partial else ""),
    st.integers(1, 28),
    st.booleans(),
)


def base_tar(start: str | None) -> bytes:
    label = (
        f"START WAL LOCATION: 0/3000028 (file {start})\nCHECKPOINT LOCATION: 0/3000060\n" if start else "x\n"
    )
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("backup_label")
        info.size = len(label)
        tar.addfile(info, io.BytesIO(label.encode()))
    return buffer.getvalue()


@settings(max_examples=200, deadline=None)
@given(
    st.sets(BACKUPS, max_size=5),
    st.sets(SEGMENTS | OTHERS, max_size=12),
    st.none() | SEGMENTS.filter(lambda s: "." not in s),
    st.booleans(),
)
def test_the_restore_set_is_the_newest_complete_backup_and_the_wal_from_its_start(
    backups: set[str], wal: set[str], start: str | None, sealed: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "wal").mkdir()
        for name in wal:
            (root / "wal" / name).write_bytes(b"w")
        for name in backups:
            (root / "base" / name).mkdir(parents=True)
            if sealed:  # the label in clear beside a tar the export cannot read
                (root / "base" / name / "base.tar.age").write_bytes(b"age-encryption.org/v1\n")
                with tarfile.open(fileobj=io.BytesIO(base_tar(start))) as tar:
                    member = tar.extractfile("backup_label")
                    assert member is not None
                    (root / "base" / name / "backup_label").write_bytes(member.read())
            else:
                (root / "base" / name / "base.tar").write_bytes(base_tar(start))
        found = restore_set(root)
    complete = sorted(b for b in backups if not b.endswith(".partial"))
    if not complete:
        assert found == {"base": None, "start": "", "wal": []}
        return
    since = start or ""
    assert found["base"] == complete[-1] and found["start"] == since
    kept = found["wal"]
    assert isinstance(kept, list) and kept == sorted(kept)
    listed = {name for name in wal if not name.endswith(".tmp")}
    for name in wal:
        older = (
            bool(since) and name[:24].isalnum() and len(name.split(".")[0]) == 24 and name[8:24] < since[8:24]
        )
        sent = name in listed and f"{name}.age" not in listed  # sealed: sent once, sealed
        assert (name in kept) is (sent and not older), name


def test_without_any_backup_or_wal_folder_there_is_nothing_to_restore(tmp_path: Path) -> None:
    assert restore_set(tmp_path) == {"base": None, "start": "", "wal": []}
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "20261128T000000Z").write_text("a file, not a backup")
    assert restore_set(tmp_path)["base"] is None


def test_a_base_backup_whose_label_cannot_be_read_starts_nowhere(tmp_path: Path) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "base.tar").write_bytes(b"not a tar")
    assert start_segment(tmp_path / "bad") == ""
    assert start_segment(tmp_path / "missing") == ""
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "base.tar").write_bytes(base_tar(None))
    assert start_segment(tmp_path / "empty") == ""
    (tmp_path / "sealed").mkdir()  # sealed, and its clear label lost: nothing to read it from
    (tmp_path / "sealed" / "base.tar.age").write_bytes(b"age-encryption.org/v1\n")
    assert start_segment(tmp_path / "sealed") == ""


def test_a_file_sealed_after_it_was_listed_is_sent_sealed(tmp_path: Path) -> None:
    segment = "000000010000000000000004"
    (tmp_path / segment).write_bytes(b"clear")
    [listed] = sendable(tmp_path)
    (tmp_path / f"{segment}.age.tmp").write_bytes(b"sealing")
    assert sendable(tmp_path) == [listed]  # a seal in progress is never sent
    (tmp_path / f"{segment}.age.tmp").rename(tmp_path / f"{segment}.age")
    assert sendable(tmp_path) == [tmp_path / f"{segment}.age"]  # both there: the sealed one only
    (tmp_path / segment).unlink()
    assert sealed_if_gone(listed) == tmp_path / f"{segment}.age"
    assert sealed_if_gone(tmp_path / f"{segment}.age") == tmp_path / f"{segment}.age"
    assert older_segment(f"{segment}.age", "000000010000000000000005")


def test_only_wal_segments_are_ever_older() -> None:
    start = "000000010000000200000003"
    assert older_segment("000000030000000100000009", start)  # an older log, on any timeline
    assert not older_segment("000000010000000200000003.partial", start)
    assert not older_segment("00000002.history", start) and not older_segment(
        "000000010000000000000001x", start
    )
