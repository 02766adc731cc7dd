"""Docs that cannot rot: every `pos` command is in docs/cli.md with a help line, and every doc
the README and docs link to exists."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

from cli.main import build_parser

ROOT = Path(__file__).resolve().parents[1]


def leaf_commands(parser: argparse.ArgumentParser, prefix: str = "pos") -> Iterator[tuple[str, str]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                if any(isinstance(a, argparse._SubParsersAction) for a in sub._actions):
                    yield from leaf_commands(sub, f"{prefix} {name}")
                else:
                    yield f"{prefix} {name}", helps.get(name, "")


def test_every_command_is_documented_with_a_help_line() -> None:
    documented = (ROOT / "docs" / "cli.md").read_text("utf-8")
    commands = list(leaf_commands(build_parser()))
    assert len(commands) > 20
    missing = [cmd for cmd, _ in commands if f"`{cmd}`" not in documented]
    assert missing == [], f"add these to docs/cli.md: {missing}"
    assert [cmd for cmd, help_ in commands if not help_] == []


def test_links_between_docs_resolve() -> None:
    broken = []
    for doc in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)\)", doc.read_text("utf-8")):
            if not (doc.parent / target).exists():
                broken.append(f"{doc.name} → {target}")
    assert broken == []


def leaf_parsers(parser: argparse.ArgumentParser, prefix: str = "pos"
                 ) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield prefix, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from leaf_parsers(sub, f"{prefix} {name}")


def test_every_argument_has_help() -> None:
    missing = [f"{command} {action.option_strings[0] if action.option_strings else action.dest}"
               for command, parser in leaf_parsers(build_parser())
               for action in parser._actions
               if not isinstance(action, (argparse._SubParsersAction, argparse._HelpAction))
               and not action.help]
    assert missing == [], f"give these arguments a help text: {missing}"
