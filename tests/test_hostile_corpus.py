"""The hostile corpus for workspace files: reviews, engagements, milestones, merge inputs.

Every case is a folder under tests/data/hostile/cases/ with a `case.json`:

```json
{
  "why": "what a hostile copy of this file must not do",
  "argv": ["merge-file", "{case}/base.json", "{home}/ours.json", "{case}/theirs.json"],
  "exit": 2,
  "stderr": ["THEIRS", "not a review"],
  "stdout": [],
  "fifo": ["reviews/rev-fifo.json"],
  "may_change": ["index.json"],
  "init": true
}
```

- `workspace/` (optional) is copied whole into a fresh workspace (`{home}`), which
  gets the `.gatebook` marker; `init: true` runs `gatebook init` there first.
- `fifo` lists paths in the workspace made FIFOs before the command runs (git
  cannot store one): reading one would hang, so a hang fails the case by timeout.
- `argv` is run as `gatebook --home {home} ARGV...` in a real process, with
  `{home}` and `{case}` replaced by the workspace and the case folder.
- The command must exit with `exit`, print every text of `stderr` (and `stdout`) in
  that stream, print no traceback, and leave every file of the workspace
  byte-identical except those matching a `may_change` glob (`index.json`, `locks/`
  and the recovery folder may always change).
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CASES = Path(__file__).parent / "data" / "hostile" / "cases"
ALWAYS_MAY_CHANGE = ("index.json", "locks", "locks/*", "recovery", "recovery/*")
HANG_GUARD_S = 120


def _cases() -> list[Path]:
    return sorted(path.parent for path in CASES.glob("*/case.json"))


def _snapshot(home: Path) -> dict[str, bytes | str]:
    """Every path in the workspace with its bytes (or its kind when not a regular file)."""
    found: dict[str, bytes | str] = {}
    for path in sorted(home.rglob("*")):
        name = path.relative_to(home).as_posix()
        if path.is_symlink():
            found[name] = f"symlink to {os.readlink(path)}"
        elif path.is_dir():
            found[name] = "folder"
        elif path.is_file():
            found[name] = path.read_bytes()
        else:
            found[name] = "special file"
    return found


def _fill(text: str, home: Path, case: Path) -> str:
    return text.replace("{home}", str(home)).replace("{case}", str(case))


def _run(home: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gatebook", "--home", str(home), *argv],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
        timeout=HANG_GUARD_S,
        cwd=home,
    )


def test_the_corpus_is_there() -> None:
    assert _cases(), "tests/data/hostile/cases/ holds no case"


@pytest.mark.parametrize("case", _cases(), ids=lambda path: path.name)
def test_a_hostile_file_is_refused_and_changes_nothing(case: Path, tmp_path: Path) -> None:
    spec: dict[str, Any] = json.loads((case / "case.json").read_text(encoding="utf-8"))
    home = tmp_path / "workspace"
    home.mkdir()
    if spec.get("init"):
        done = _run(home, ["init"])
        assert done.returncode == 0, done.stderr
    (home / ".gatebook").touch()
    if (case / "workspace").is_dir():
        shutil.copytree(case / "workspace", home, dirs_exist_ok=True)
    for name in spec.get("fifo", []):
        fifo = home / name
        fifo.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(fifo)
    before = _snapshot(home)
    done = _run(home, [_fill(arg, home, case) for arg in spec["argv"]])
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == spec["exit"], (done.returncode, done.stdout, done.stderr)
    for text in spec.get("stderr", []):
        assert _fill(text, home, case) in done.stderr, (text, done.stderr)
    for text in spec.get("stdout", []):
        assert _fill(text, home, case) in done.stdout, (text, done.stdout)
    after = _snapshot(home)
    patterns = (*ALWAYS_MAY_CHANGE, *spec.get("may_change", []))
    changed = sorted(
        name
        for name in set(before) | set(after)
        if before.get(name) != after.get(name)
        and not any(fnmatch.fnmatch(name, pattern) for pattern in patterns)
    )
    assert changed == [], f"the command changed {changed}"
