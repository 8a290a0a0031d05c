"""The apps form a one-way stack (docs/architecture.md): each imports only apps below it, so
the lower parts can be read, tested and changed without the higher ones. Read from the source
itself: every import statement of every module, at its top or inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "docket"

#: From the bottom up. Apps on one line are peers: neither imports the other. Modules at the
#: package's top (settings, cli, wsgi) are project-level, with `core`.
STACK: list[set[str]] = [
    {"lib", "analysis", "sqlcipher"},
    {"accounts"},
    {"vault"},
    {"jobs"},
    {"register"},
    {"enrich"},
    {"ingest", "intake"},
    {"leads"},
    {"cases"},
    {"exports"},
    {"api"},
    {"core"},
]
LEVEL = {app: n for n, apps in enumerate(STACK) for app in apps}


def _app(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "docket":
        return None
    if len(parts) == 1 or f"{parts[1]}" not in LEVEL:
        return "core"  # docket.settings, docket.cli, docket.wsgi
    return parts[1]


def _module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, root: Path = PACKAGE) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, relative ones made absolute."""
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name == "docket":  # `from docket import intake` names the app in the alias
                found += [(node.lineno, f"docket.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, name))
    return found


def upward_imports(root: Path = PACKAGE) -> list[str]:
    wrong = []
    for path in sorted(root.rglob("*.py")):
        here = _app(_module_name(path, root))
        assert here is not None
        for line, name in _imports(path, root):
            there = _app(name)
            if there is None or there == here:
                continue
            if LEVEL[there] >= LEVEL[here]:
                where = path.relative_to(root.parent)
                wrong.append(f"{where}:{line}: {here} imports {name} ({there})")
    return wrong


def test_every_app_imports_only_apps_below_it() -> None:
    assert upward_imports() == []


def test_every_app_has_its_place_in_the_stack() -> None:
    apps = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert apps - set(LEVEL) == set(), "a new app takes its place in STACK (and the docs)"


def test_lib_and_analysis_import_no_app() -> None:
    for app in ("lib", "analysis"):
        for path in sorted((PACKAGE / app).rglob("*.py")):
            for line, name in _imports(path):
                assert _app(name) in (None, "lib", app), f"{path}:{line} imports {name}"


#: The wrappers in lib that wrap Django itself: the vault's storage backend, the environment
#: parser that reports a bad setting as Django does, the sandbox's limits read from the
#: settings, the hour field, the checks a command runs, the instance's time zone read from the
#: settings (zones.py; its parsing and formatting take a zone and need no Django). Every other
#: lib module is plain Python, usable and testable without Django.
LIB_ON_DJANGO = {"commands.py", "env.py", "hours.py", "sandbox.py", "storage.py", "zones.py"}


def test_lib_wraps_django_only_where_it_says_so() -> None:
    on_django = {
        path.name
        for path in sorted((PACKAGE / "lib").rglob("*.py"))
        if any(name.split(".")[0] == "django" for _, name in _imports(path))
    }
    assert on_django <= LIB_ON_DJANGO, "keep lib's new code free of Django"


def test_analysis_is_pure_python() -> None:
    # The analysis (name matching, duplicates) runs without Django: no Django import in it.
    for path in sorted((PACKAGE / "analysis").rglob("*.py")):
        for line, name in _imports(path):
            assert name.split(".")[0] != "django", f"{path}:{line} imports {name}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from docket.enrich import views\n", "vault imports docket.enrich (enrich)"),
        ("def f():\n    from docket.core.urls import x\n", "imports docket.core.urls (core)"),
        ("from ..api import tokens\n", "imports docket.api (api)"),
        ("from docket import intake\n", "imports docket.intake (intake)"),
    ],
)
def test_the_check_finds_an_upward_import_wherever_it_is(
    tmp_path: Path, source: str, expected: str
) -> None:
    app = tmp_path / "docket" / "vault"
    app.mkdir(parents=True)
    (tmp_path / "docket" / "__init__.py").write_text("")
    (app / "__init__.py").write_text("")
    (app / "views.py").write_text(source)
    found = upward_imports(tmp_path / "docket")
    assert len(found) == 1 and expected in found[0], found


def test_a_downward_import_passes(tmp_path: Path) -> None:
    app = tmp_path / "docket" / "enrich"
    app.mkdir(parents=True)
    (tmp_path / "docket" / "__init__.py").write_text("")
    (app / "views.py").write_text("from docket.vault import store\nfrom . import models\n")
    assert upward_imports(tmp_path / "docket") == []
