"""The core and the configuration never import Qt or the GUI; the CLI opens the window only
through ``gui.launch``, imported when the window is asked for.

Checked three ways: the source is parsed (every import statement, at any depth, and every
import by name), import-linter checks the contract in pyproject.toml, and a fresh interpreter
that imports every non-GUI module must not have loaded Qt.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = REPO_ROOT / "hospital_desktop"
GUI = PACKAGE / "gui"
FORBIDDEN = ("PySide6", "shiboken6", "hospital_desktop.gui")
# The one place outside the GUI that may name it: the CLI, inside main(), to open the window.
ALLOWED = {
    ("hospital_desktop/cli.py", "hospital_desktop.gui.launch"),
    ("hospital_desktop/cli.py", "hospital_desktop.gui.launch.launch"),
}


def non_gui_sources() -> list[Path]:
    sources = [path for path in PACKAGE.rglob("*.py") if GUI not in path.parents]
    assert len(sources) > 20, "the package was not found where expected"
    return sorted(sources)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_forbidden(name: str) -> bool:
    return any(name == root or name.startswith(f"{root}.") for root in FORBIDDEN)


def static_imports(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """Every module an import statement names, anywhere in the source (functions too)."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the package
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                imported = ".".join([*base, node.module] if node.module else base)
            else:
                imported = node.module or ""
            found.append((node.lineno, imported))
            found.extend((node.lineno, f"{imported}.{alias.name}") for alias in node.names)
    return found


def imports_in(path: Path) -> list[tuple[int, str]]:
    return static_imports(
        path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py"
    )


def imports_by_name(path: Path) -> list[tuple[int, str]]:
    """``importlib.import_module("x")`` and ``__import__("x")`` with a literal name."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        function = node.func
        name = (
            function.attr
            if isinstance(function, ast.Attribute)
            else function.id
            if isinstance(function, ast.Name)
            else ""
        )
        argument = node.args[0]
        if (
            name in ("import_module", "__import__")
            and isinstance(argument, ast.Constant)
            and isinstance(argument.value, str)
        ):
            found.append((node.lineno, argument.value))
    return found


def test_no_import_statement_outside_the_gui_names_qt_or_the_gui() -> None:
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{line} imports {name}"
        for path in non_gui_sources()
        for line, name in imports_in(path)
        if is_forbidden(name) and (path.relative_to(REPO_ROOT).as_posix(), name) not in ALLOWED
    ]
    assert offenders == []


def test_the_cli_imports_the_gui_only_inside_a_function() -> None:
    tree = ast.parse((PACKAGE / "cli.py").read_text(encoding="utf-8"))
    top_level = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    names = {getattr(node, "module", None) or "" for node in top_level}
    names |= {alias.name for node in top_level for alias in node.names}
    assert not any(is_forbidden(name) for name in names)


def test_nothing_outside_the_gui_loads_it_by_name() -> None:
    by_name = [
        (path.relative_to(REPO_ROOT).as_posix(), name)
        for path in non_gui_sources()
        for _line, name in imports_by_name(path)
        if is_forbidden(name)
    ]
    assert by_name == []


def test_the_checker_sees_imports_inside_functions_and_relative_ones() -> None:
    source = textwrap.dedent(
        """
        def later():
            from PySide6.QtWidgets import QApplication
            import shiboken6
            from ...gui import launch
        """
    )
    names = {name for _line, name in static_imports(source, "hospital_desktop.core.db.probe")}
    assert {"PySide6.QtWidgets", "shiboken6", "hospital_desktop.gui.launch"} <= names
    assert all(is_forbidden(name) for name in names)


def test_import_linter_contract_is_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_importing_every_non_gui_module_loads_no_qt() -> None:
    modules = sorted(module_name(path) for path in non_gui_sources() if path.name != "__main__.py")
    script = textwrap.dedent(
        f"""
        import importlib, sys
        for name in {modules!r}:
            importlib.import_module(name)
        loaded = sorted(
            name for name in sys.modules
            if name.split(".")[0] in ("PySide6", "shiboken6")
            or name == "hospital_desktop.gui" or name.startswith("hospital_desktop.gui.")
        )
        print(loaded)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
