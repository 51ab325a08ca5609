"""`merge_60k_s`: the git merge driver on a review that gained 60,000 follow-ups and
60,000 history entries on each side since BASE, run as git runs it (its own process,
in the work tree), the median of a few rounds. Merging must be linear in the files'
size (it was quadratic: 47 s)."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ENTRIES = 60_000
REVIEW_ID = "oqr-merge60k"


def _side(base: dict[str, Any], tag: str, entries: int) -> dict[str, Any]:
    review = dict(base)
    review["follow_ups"] = [f"{tag}_{number}" for number in range(entries)]
    review["history"] = [
        {
            "time": f"2026-03-{1 + number // 86400 % 28:02d}T{number // 3600 % 24:02d}:"
            f"{number // 60 % 60:02d}:{number % 60:02d}Z",
            "user": tag,
            "kind": "answer",
            "key": "customer",
            "old": f"{tag} {number}",
            "new": f"{tag} {number + 1}",
            "undone": False,
            "undo_of": None,
        }
        for number in range(entries)
    ]
    return {"review": {"1": review}}


def write_sides(home: Path, entries: int = ENTRIES) -> tuple[Path, Path, Path, str]:
    """BASE, OURS (in the work tree, where git puts it) and THEIRS, written canonically."""
    from gatebook.store.storage import canonical_file_bytes

    base: dict[str, Any] = {
        "schema_version": 1,
        "id": REVIEW_ID,
        "questionnaire": "oqr",
        "version": "2.0.0",
        "title": "Merged by two laptops",
        "answers": {"customer": "Acme"},
        "created": "2026-03-01T00:00:00Z",
        "updated": "2026-03-01T00:00:00Z",
    }
    (home / "reviews").mkdir(parents=True, exist_ok=True)
    paths = (home / "base.json", home / "reviews" / f"{REVIEW_ID}.json", home / "theirs.json")
    documents = ({"review": {"1": base}}, _side(base, "ana", entries), _side(base, "bo", entries))
    for path, document in zip(paths, documents, strict=True):
        path.write_bytes(canonical_file_bytes(document))
    return (*paths, f"reviews/{REVIEW_ID}.json")


def merge_60k_s(root: Path, rounds: int) -> dict[str, Any]:
    home = root / "ws-merge"
    base, ours, theirs, label = write_sides(home)
    original = ours.read_bytes()
    times: list[float] = []
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for _ in range(rounds):
        ours.write_bytes(original)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "gatebook", "merge-file", str(base), str(ours), str(theirs),
             label],
            cwd=home, capture_output=True, text=True, check=False, timeout=600,
        )  # fmt: skip
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise RuntimeError(f"merge-file failed: {done.stderr}")
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (cpu.ru_utime - cpu_before.ru_utime + cpu.ru_stime - cpu_before.ru_stime) / rounds
    return {
        "value": statistics.median(times),
        "cpu_s": round(cpu_s, 3),
        "entries_per_side": ENTRIES,
        "rounds": rounds,
    }
