"""infra never imports drill: drill may import infra, and only `topology` crosses back."""

from __future__ import annotations

import ast
from pathlib import Path

import infra

INFRA = Path(infra.__file__).resolve().parent


def drill_imports(source: str, filename: str) -> list[str]:
    """`file:line: statement` of every import of drill (or of a drill module) in source."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name == "drill" or name.startswith("drill.") for name in names):
            found.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_check_finds_every_form_of_importing_drill() -> None:
    source = "import os\nimport drill.errors\nfrom drill import stack\nfrom drillbit import x\nimport infra\n"
    assert drill_imports(source, "infra/x.py") == [
        "infra/x.py:2: import drill.errors",
        "infra/x.py:3: from drill import stack",
    ]


def test_no_infra_module_imports_drill() -> None:
    modules = sorted(INFRA.rglob("*.py"))
    assert modules, f"no module found under {INFRA}"
    found = [
        hit
        for path in modules
        for hit in drill_imports(path.read_text(encoding="utf-8"), str(path.relative_to(INFRA.parent)))
    ]
    assert found == [], "infra imports drill (move what it needs into infra):\n" + "\n".join(found)
