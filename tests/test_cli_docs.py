"""The README documents every command and option of the CLI (a new option must be documented)."""

from __future__ import annotations

import click

from conftest import REPO
from policydiff.cli import main


def test_every_command_and_option_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = []
    for name, command in main.commands.items():
        if f"policy-diff {name}" not in readme:
            missing.append(f"policy-diff {name}")
        for param in command.params:
            if isinstance(param, click.Option):
                longest = max(param.opts, key=len)
                if longest.startswith("--") and longest not in readme:
                    missing.append(f"policy-diff {name} {longest}")
    assert not missing, f"undocumented in README.md: {missing}"
