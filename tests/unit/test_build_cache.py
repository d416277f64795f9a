"""The machine's build cache: built once, copied after, a broken copy built again, a new recipe a new key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from drill.toolchain.build_cache import build_once, recipe_key


@pytest.fixture
def recipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOSPITAL_DRP_BUILD_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "recipe"
    folder.mkdir()
    (folder / "go.mod").write_text("module example\n")
    (folder / "go.sum").write_text("")
    return folder


def make(product: Path, builds: list[Path], content: bytes = b"binary") -> None:
    product.parent.mkdir(parents=True, exist_ok=True)
    product.write_bytes(content)
    product.chmod(0o755)
    builds.append(product)


def runs(product: Path) -> Callable[[], str | None]:
    """A check that the product is there, as a version check of a real binary."""
    return lambda: f"{product.name} v1" if product.exists() else None


def test_a_product_built_once_is_copied_into_the_next_checkout(recipe: Path, tmp_path: Path) -> None:
    builds: list[Path] = []
    key = recipe_key([recipe], "-X version=1")
    first, second = tmp_path / "one" / "pulumi", tmp_path / "two" / "pulumi"
    assert build_once("pulumi", key, first, lambda: make(first, builds), runs(first)).cached is False
    assert build_once("pulumi", key, second, lambda: make(second, builds), runs(second)).cached is True
    assert builds == [first]
    assert second.read_bytes() == b"binary" and second.stat().st_mode & 0o111


def test_a_cached_copy_that_does_not_work_is_built_again(recipe: Path, tmp_path: Path) -> None:
    builds: list[Path] = []
    key = recipe_key([recipe])
    first, second = tmp_path / "one" / "tool", tmp_path / "two" / "tool"
    build_once("tool", key, first, lambda: make(first, builds, b"broken"), lambda: "tool")

    def works() -> str | None:
        return "tool fixed" if second.read_bytes() == b"fixed" else None

    assert build_once("tool", key, second, lambda: make(second, builds, b"fixed"), works).cached is False
    assert builds == [first, second]
    third = tmp_path / "three" / "tool"
    assert build_once("tool", key, third, lambda: make(third, builds), lambda: "tool").cached is True
    assert third.read_bytes() == b"fixed"  # the rebuilt product replaced the broken one


def test_a_product_that_does_not_work_is_not_kept(recipe: Path, tmp_path: Path) -> None:
    builds: list[Path] = []
    key = recipe_key([recipe])
    first, second = tmp_path / "one" / "tool", tmp_path / "two" / "tool"
    build_once("tool", key, first, lambda: make(first, builds), lambda: None)
    assert build_once("tool", key, second, lambda: make(second, builds), lambda: "tool").cached is False
    assert builds == [first, second]


def test_the_key_follows_the_recipe_and_the_settings_not_the_place(recipe: Path, tmp_path: Path) -> None:
    key = recipe_key([recipe], "-X version=1")
    copy = tmp_path / "elsewhere" / "recipe"
    copy.mkdir(parents=True)
    for path in recipe.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    assert recipe_key([copy], "-X version=1") == key
    assert recipe_key([recipe], "-X version=2") != key
    (recipe / "go.sum").write_text("example v1.0.0 h1:abc=\n")
    assert recipe_key([recipe], "-X version=1") != key
