"""Documentation is part of the product: every variable and command is written down."""

from __future__ import annotations

import argparse
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

from django.utils import translation

from docket.cli import VERBS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
CLI_DOC = (ROOT / "docs" / "cli.md").read_text()


def variables_in_code() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "docket").rglob("*.py"):
        found |= set(re.findall(r"DOCKET_[A-Z0-9_]+", path.read_text()))
    return found


def test_every_setting_is_in_the_readme_configuration_table() -> None:
    table = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`(DOCKET_[A-Z0-9_]+)`", table))
    missing = variables_in_code() - documented
    assert not missing, f"undocumented settings: {sorted(missing)}"


def test_every_command_is_documented() -> None:
    for verb in VERBS:
        assert f"## `docket {verb}" in CLI_DOC, f"docs/cli.md lacks `docket {verb}`"
        assert f"docket {verb}" in README or verb in ("worker", "bench", "init")


def test_the_readme_shows_the_two_commands() -> None:
    assert "make demo" in README and "make test" in README


def test_the_permission_table_in_the_docs_matches_the_code() -> None:
    from docket.accounts.models import Role
    from docket.accounts.permissions import PERMISSIONS

    page = (ROOT / "docs" / "permissions.md").read_text()
    rows = {
        line.split("|")[1].strip().strip("`"): [c.strip() for c in line.split("|")[2:-1]]
        for line in page.splitlines()
        if line.startswith("| `")
    }
    assert set(rows) == set(PERMISSIONS)
    for permission, (roles, allows) in PERMISSIONS.items():
        cells = rows[permission]
        with translation.override("en"):  # a page test before may leave another language on
            assert cells[-1] == str(allows)
        for role, cell in zip(Role.values, cells, strict=False):
            assert cell == ("yes" if role in roles else "no"), (permission, role)


def test_every_api_route_is_documented() -> None:
    from tests.support.routes import declared, routes

    page = (ROOT / "docs" / "api.md").read_text()
    for route, pattern in routes():
        access = declared(pattern)
        if access and access.kind.startswith("api"):
            documented = route.replace("<int:pk>", "ID")
            method = access.methods[0]
            assert f"{method} {documented}" in page, f"docs/api.md lacks {method} {documented}"


def test_the_threat_model_says_what_each_adversary_can_get() -> None:
    page = (ROOT / "docs" / "threat-model.md").read_text()
    headings = re.findall(r"^### (.+)$", page, flags=re.M)
    for adversary in ("seized intake host", "running", "switched off", "insider", "hostile file",
                      "flood"):  # fmt: skip
        assert any(adversary in heading for heading in headings), f"no section on {adversary}"
    assert "## What remains" in page
    # Every setting it names is a real one, so the page cannot drift from the code unnoticed.
    assert set(re.findall(r"DOCKET_[A-Z0-9_]+", page)) <= variables_in_code()


def test_the_docs_stand_alone_and_link_only_to_files_that_exist() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        text = page.read_text()
        for climbing in re.findall(r"(?:\.\./)+[\w.-][\w./-]*", text):
            # Read from the page's folder or from the repository's root: either way inside.
            for base in (page.parent, ROOT):
                inside = (base / climbing).resolve().is_relative_to(ROOT)
                assert inside, f"{page.name} cites {climbing}, outside the repository"
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", text):
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_the_benchmarks_page_names_every_bench_subcommand() -> None:
    from docket.core.management.commands.bench import Command

    parser = Command().create_parser("docket", "bench")
    [which] = [a for a in parser._actions if a.dest == "which"]
    page = (ROOT / "bench" / "README.md").read_text()
    assert which.choices
    for name in which.choices:
        assert f"**{name}**" in page or f"docket bench {name}" in page, name


# Options every Django command has; `docket COMMAND --help` lists them, the page need not.
DJANGO_OPTIONS = {"--version", "--verbosity", "--settings", "--pythonpath", "--traceback",
                  "--no-color", "--force-color", "--skip-checks", "--help"}  # fmt: skip


def docket_commands() -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every management command under docket/, by name, with the parser `docket` gives it."""
    from django.core.management import find_commands

    for folder in sorted((ROOT / "docket").glob("*/management")):
        app = folder.parent.name
        for name in sorted(find_commands(str(folder))):
            module = importlib.import_module(f"docket.{app}.management.commands.{name}")
            yield name, module.Command().create_parser("docket", name)


def options_by_subcommand(
    parser: argparse.ArgumentParser, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], list[str]]]:
    """(path, its --long options) for the command and, recursively, each subcommand."""
    options: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                yield from options_by_subcommand(subparser, (*path, name))
        elif action.help != argparse.SUPPRESS:  # hidden: internal, not for people to type
            options += [o for o in action.option_strings if o.startswith("--")]
    yield path, [o for o in options if o not in DJANGO_OPTIONS]


def cli_doc_section(path: tuple[str, ...]) -> str:
    """The `## docket …` sections of docs/cli.md for this command: those of the subcommand
    when it has its own (`docket import files`), else those of the command."""
    sections = re.split(r"^(?=## )", CLI_DOC, flags=re.M)
    for length in range(len(path), 0, -1):
        heading = "## `docket " + " ".join(path[:length])
        found = [s for s in sections if re.match(re.escape(heading) + r"[ `]", s)]
        if found:
            return "\n".join(found)
    return ""


def test_every_command_option_is_in_its_section_of_the_cli_page() -> None:
    commands = dict(docket_commands())
    assert set(VERBS) <= set(commands), set(VERBS) - set(commands)
    missing = []
    for name, parser in commands.items():
        for path, options in options_by_subcommand(parser, (name,)):
            section = cli_doc_section(path)
            assert section, f"docs/cli.md has no `## docket {name}` section"
            for option in options:
                if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", section):
                    missing.append(f"docket {' '.join(path)} {option}")
    assert not missing, f"options missing from their section of docs/cli.md: {missing}"
