"""Old data keeps working after issue 33 (versions, outcomes, RAG now, next steps).

The files here were written by gatebook as it was before issue 33 (commit 622fdee):
they must keep verifying and importing with today's gatebook, byte for byte.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .cli_support import gb, ok

GOLDEN = Path(__file__).parent / "golden" / "engagement"
BEFORE_33 = GOLDEN / "v2-before-issue-33.md"
"""A combined plan (format 2) written before issue 33: an OQR signed with an override
and a PESA signed with one, so its summary's RAG reasons and next step are the ones the
rules of that time gave (`reviewer signed off with an override`, RED)."""


def test_a_combined_plan_written_before_issue_33_verifies(tmp_path: Path) -> None:
    """Its summary was derived by the RAG and next-step rules of its time; verify derives
    it again by those rules when today's differ, so it stays OK (and bound)."""
    path = tmp_path / "plan.md"
    shutil.copyfile(BEFORE_33, path)
    code, out, err = gb("verify", str(path))
    assert code == 0, out + err
    assert f"{path}#eng-8e7548: OK (digest ok, text ok)" in out
    entries = json.loads(ok("verify", str(path), "--format", "json"))
    assert entries[-1]["bound"] is True and entries[-1]["ok"] is True


def test_a_combined_plan_before_issue_33_with_an_edited_summary_still_fails(
    tmp_path: Path,
) -> None:
    """The rules of its time are a second derivation, not a pass: an edit that neither
    gives is caught, whichever rules wrote the plan."""
    path = tmp_path / "plan.md"
    text = BEFORE_33.read_text()
    path.write_text(text.replace("reviewer signed off with an override", "all fine", 1))
    code, out, err = gb("verify", str(path))
    assert code == 1 and f"{path}#eng-8e7548: FAILED" in out
    assert "the summary is not what its members and data block give" in out + err


def test_a_combined_plan_before_issue_33_imports() -> None:
    imported = ok("import", str(BEFORE_33))
    shown = json.loads(ok("engagement", "show", imported, "--format", "json"))
    assert [r["id"] for r in shown["reviews"]] == ["oqr-cec70e", "pesa-d2f682"]
