"""Peak resident memory that is a process's own, for the scripts here (stdlib only: the
peer's side venv imports it too).

`ru_maxrss` of a process started by a larger one is at least the starter's peak at that
moment: Linux carries the old image's high-water mark across `execve`, and a child's old
image is its parent's memory (shared by `vfork`, copied by `fork`). A 14 MB child of a
300 MB process reports 300 MB, and so does `wait4` for it. Two ways round it:

- in the process itself, `VmHWM` in `/proc/self/status`: the current image's own mark
  (`own_peak_kb`);
- for a command, a small launcher between: `python bench/_peak.py REPORT -- CMD ...` runs
  CMD as its own child, so that what CMD carries over is the launcher's own 10-20 MB, and
  writes CMD's `wait4` figures (CPU seconds, peak KiB, exit status) to REPORT as JSON
  (`run_measured`). Its exit status is CMD's.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path


def own_peak_kb() -> int:
    """This process's own peak resident set, in KiB (`ru_maxrss` where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_measured(args: list[str], **popen: object) -> tuple[int, float, int, bytes]:
    """Run a command through the launcher: (exit status, its CPU seconds, its peak KiB, its
    stderr). `popen` goes to `subprocess.Popen` (env, stdout); stderr is captured."""
    with tempfile.TemporaryDirectory(prefix="pd-peak-") as folder:
        report = Path(folder) / "report.json"
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), str(report), "--", *args],
            stderr=subprocess.PIPE,
            **popen,  # type: ignore[arg-type]
        )
        _out, errors = proc.communicate()
        if not report.exists():
            return proc.returncode or 1, 0.0, 0, errors
        found = json.loads(report.read_text(encoding="utf-8"))
    return found["status"], found["cpu_s"], found["peak_kb"], errors


def _launch(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python bench/_peak.py REPORT -- CMD [ARGS...]", file=sys.stderr)
        return 2
    report, command = Path(argv[0]), argv[2:]
    proc = subprocess.Popen(command)
    _pid, status, usage = os.wait4(proc.pid, 0)
    code = proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    figures = {"status": code, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_kb": usage.ru_maxrss}
    report.write_text(json.dumps(figures), encoding="utf-8")
    return code


if __name__ == "__main__":
    raise SystemExit(_launch(sys.argv[1:]))
