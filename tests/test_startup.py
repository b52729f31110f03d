"""Start-up: a command imports only what it uses (issue 17). The CLI, `--help`, `versions`
and `diff` never load the extraction stack (lxml, ftfy, charset-normalizer): only reading
captures needs it. Checked in a new interpreter, by the modules loaded, never by a clock."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO

EXTRACTION_STACK = ("lxml", "ftfy", "charset_normalizer")

PROBE = """
import contextlib, io, json, sys
from policydiff.cli import main
loaded = {"import": sorted(m for m in %(stack)r if m in sys.modules)}
for name, args in %(commands)r:
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main(args, standalone_mode=False)
        except SystemExit:
            pass
    loaded[name] = sorted(m for m in %(stack)r if m in sys.modules)
print(json.dumps(loaded))
"""


def loaded_after(commands: list[tuple[str, list[str]]]) -> dict[str, list[str]]:
    code = PROBE % {"stack": EXTRACTION_STACK, "commands": commands}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(done.stdout)


def test_the_cli_and_its_reading_commands_do_not_import_the_extraction_stack() -> None:
    archive = str(REPO / "archive")
    loaded = loaded_after(
        [
            ("help", ["--help"]),
            ("versions", ["--archive", archive, "versions", "github-privacy-statement", "--json"]),
            ("diff", ["--archive", archive, "diff", "github-privacy-statement", "--json"]),
        ]
    )
    assert loaded == {"import": [], "help": [], "versions": [], "diff": []}


def test_extracting_a_capture_still_loads_it() -> None:
    """The probe can see the stack: extraction imports it when it first runs."""
    code = (
        "import sys; from policydiff.extract import extract_capture\n"
        "extract_capture(b'<html><body><p>We keep your data safe.</p></body></html>', 'text/html')\n"
        f"print(sorted(m for m in {EXTRACTION_STACK!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert json.loads(done.stdout.replace("'", '"')) == sorted(EXTRACTION_STACK)
