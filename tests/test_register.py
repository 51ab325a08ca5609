"""The plan a delivery lead signs: risk register, escalation record, sessions, section
N/A, and the sign-off rules they feed (issue: plan a delivery lead signs)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from .cli_support import run_gatebook

CUSTOM = """\
id: deal
title: Deal check
version: "1"
target: 90
dimensions:
  - {id: Q, title: Quality}
sections:
  - id: facts
    title: Facts
    questions:
      - {id: tcv, type: money, prompt: Total value}
      - {id: partners, type: integer, prompt: Partner firms, min: 0}
      - {id: doc, type: longtext, prompt: Architecture}
      - id: quality
        type: rating
        prompt: Quality of the plan
        dimension: Q
      - id: ticks
        type: checklist
        prompt: Gate
        items:
          - {id: documented, title: Architecture documented}
  - id: extras
    title: Extras
    questions:
      - {id: extra_one, type: text, prompt: One}
      - {id: extra_two, type: text, prompt: Two}
risks:
  - {id: big, title: Big deal, category: financial, severity: high, when: tcv > 5000000,
     mitigation: Phase it}
  - {id: crowd, title: Many partners, category: partnership, severity: high, when: partners > 1}
escalation:
  - {id: two_high, when: 'count_flags(severity="high") >= 2', reason: Two high flags at once}
  - {id: huge, when: tcv > 50000000, reason: A huge deal}
gates:
  - id: ready
    title: Ready
    decides_signoff: true
    items:
      - item: ticks.documented
        when: answered(doc) and risks_unaddressed() == 0
        unmet: architecture not documented or a high risk not addressed
  - id: later
    title: Later checkpoint
    items: [ticks.documented]
signoff:
  - {id: lead, title: Delivery lead}
"""


@pytest.fixture
def deal(isolated_home: Path) -> str:
    folder = isolated_home / "questionnaires"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "deal.yaml").write_text(CUSTOM)
    done = run_gatebook("new", "deal", "--title", "Acme deal")
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def gb(*args: str) -> tuple[int, str, str]:
    done = run_gatebook(*args)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


def show(review_id: str) -> dict[str, Any]:
    code, out, err = gb("show", review_id, "--format", "json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def sign(review_id: str, *extra: str, decision: str = "approved") -> tuple[int, str]:
    code, out, err = gb(
        "signoff", review_id, "--role", "lead", "--name", "Ana", "--decision", decision,
        "--no-sign", *extra,
    )  # fmt: skip
    return code, out + err


def ready(review_id: str, *, tcv: str = "6M", rating: str = "4") -> None:
    """Everything a clean sign-off needs: answers, the gate ticked and documented."""
    code, _, err = gb(
        "set", review_id, f"tcv={tcv}", "partners=0", "doc=Three tiers", f"quality={rating}",
        "ticks=documented",
    )  # fmt: skip
    assert code == 0, err


ROW_KEYS = [
    "id", "flag", "title", "severity", "category", "why", "likelihood", "impact",
    "mitigation", "contingency", "owner", "due", "status", "origin", "first_origin",
]  # fmt: skip
"""`origin` (REVIEW_ID/ROW_ID of a row carried from an earlier stage, else null) is
the key engagements added; `first_origin` (where the chain of origins begins, derived)
the one issue 34 added."""


# ---- the register -------------------------------------------------------------------


def test_a_raised_flag_is_a_register_row_with_every_key(deal: str) -> None:
    gb("set", deal, "tcv=6M")
    rows = show(deal)["risk_register"]
    assert [list(row) for row in rows] == [ROW_KEYS]
    row = rows[0]
    assert row["id"] == "big" and row["flag"] == "big" and row["severity"] == "high"
    assert row["category"] == "financial" and "6,000,000" not in row["title"]
    assert row["mitigation"] is None and row["contingency"] is None and row["due"] is None
    assert row["status"] == "open"


def test_risk_writes_any_subset_of_fields_and_checks_them(deal: str) -> None:
    gb("set", deal, "tcv=6M")
    code, _, err = gb(
        "risk", deal, "big", "--mitigation", "Phased delivery", "--contingency", "Stop early",
        "--owner", "Ana Lima", "--due", "2026-12-15", "--status", "mitigating",
    )  # fmt: skip
    assert code == 0, err
    row = show(deal)["risk_register"][0]
    assert (row["mitigation"], row["contingency"], row["owner"], row["due"], row["status"]) == (
        "Phased delivery", "Stop early", "Ana Lima", "2026-12-15", "mitigating",
    )  # fmt: skip
    before = show(deal)["risk_register"]
    for bad in (("--due", "2026-02-30"), ("--due", "soon"), ("--status", "done")):
        code, _, err = gb("risk", deal, "big", "--owner", "Someone else", *bad)
        assert code == 2 and "Traceback" not in err
    assert show(deal)["risk_register"] == before  # nothing changed


def test_a_flag_not_raised_or_an_unknown_row_is_refused(deal: str) -> None:
    code, _, err = gb("risk", deal, "crowd", "--owner", "x")
    assert code == 2 and "not raised" in err
    code, _, err = gb("risk", deal, "bgi", "--owner", "x")
    assert code == 2 and "no such register row" in err
    assert show(deal)["risk_register"] == []


def test_add_prints_the_new_id_and_rows_stay_when_the_flag_goes(deal: str) -> None:
    code, out, err = gb(
        "risk", deal, "--add", "Key architect may leave", "--severity", "medium",
        "--likelihood", "low", "--impact", "high",
    )  # fmt: skip
    assert code == 0, err
    added = out.strip()
    assert re.fullmatch(r"risk_[a-z0-9]{6}", added), added
    gb("set", deal, "tcv=6M")
    gb("risk", deal, "big", "--owner", "Ana")
    gb("set", deal, "tcv=1M")  # the flag goes; what was written on it stays
    rows = {row["id"]: row for row in show(deal)["risk_register"]}
    assert rows["big"]["status"] == "resolved" and rows["big"]["owner"] == "Ana"
    assert rows[added] == {
        **dict.fromkeys(ROW_KEYS),
        "id": added, "title": "Key architect may leave", "severity": "medium",
        "likelihood": "low", "impact": "high", "status": "open",
    }  # fmt: skip
    gb("set", deal, "tcv=7M")  # raised again: back to what was written
    rows = {row["id"]: row for row in show(deal)["risk_register"]}
    assert rows["big"]["status"] == "open"


def test_risks_mitigated_counts_mitigated_and_resolved_rows(deal: str) -> None:
    gb("set", deal, "tcv=6M", "partners=2")
    added = gb("risk", deal, "--add", "Scope creep")[1].strip()
    gb("risk", deal, "big", "--status", "mitigated")
    assert "Risks mitigated: 1 of 3 (33 %)" in gb("show", deal)[1]
    gb("set", deal, "partners=1")  # crowd resolved (its row was never written: it goes)
    gb("risk", deal, added, "--status", "accepted")
    plan = gb("export", deal)[1]
    assert "Risks mitigated: 1 of 2 (50 %)" in plan


def test_set_mitigation_stays_and_reaches_the_row(deal: str) -> None:
    gb("set", deal, "tcv=6M")
    code, _, err = gb("set", deal, "--mitigation", "big=Phase it")
    assert code == 0, err
    assert show(deal)["risk_register"][0]["mitigation"] == "Phase it"


# ---- history and undo -------------------------------------------------------------------


def test_history_and_undo_cover_every_record(deal: str) -> None:
    gb("set", deal, "tcv=6M", "partners=2")
    gb("risk", deal, "big", "--contingency", "Stop early")
    gb("escalate", deal, "--to", "Maria Ortiz, VP Delivery", "--decision", "proceed")
    gb("meeting", deal, "--date", "2026-11-29", "--attendee", "Ana Lima, Acme, CTO")
    gb("set", deal, "--na-section", "extras=Out of scope")
    kinds = [line.split()[2] for line in gb("history", deal)[1].splitlines()]
    assert kinds[-4:] == ["risk", "escalation", "meeting", "na_section"]
    expected = [
        ("na_section", lambda d: d["not_applicable"] == {}),
        ("meeting", lambda d: d["meetings"] == []),
        ("escalation", lambda d: d["escalation"]["record"] is None),
        ("risk", lambda d: d["risk_register"][0]["contingency"] is None),
    ]
    for kind, check in expected:
        code, out, _ = gb("undo", deal)
        assert code == 0 and out.startswith(f"undid {kind}")
        assert check(show(deal)), kind


# ---- escalation ----------------------------------------------------------------------


def test_escalation_json_and_the_decision_it_needs(deal: str) -> None:
    ready(deal)
    gb("set", deal, "partners=2")
    gb("risk", deal, "big", "--mitigation", "m", "--contingency", "c")
    gb("risk", deal, "crowd", "--mitigation", "m", "--contingency", "c")
    escalation = show(deal)["escalation"]
    assert escalation["required"] is True and escalation["record"] is None
    assert escalation["reasons"] == ["Two high flags at once"]
    code, text = sign(deal)
    assert code == 1 and "escalation required and no decision recorded" in text
    code, _, err = gb(
        "escalate", deal, "--to", "Maria Ortiz, VP Delivery", "--decision", "proceed",
        "--note", "Go", "--date", "2026-11-29",
    )  # fmt: skip
    assert code == 0, err
    assert show(deal)["escalation"]["record"] == {
        "to": "Maria Ortiz, VP Delivery", "decision": "proceed", "date": "2026-11-29",
        "note": "Go",
    }  # fmt: skip
    code, text = sign(deal)
    assert code == 0, text
    gb("set", deal, "tcv=60M")  # a new reason: the decision is due again
    assert show(deal)["escalation"]["decision_due"] is True
    code, text = sign(deal)
    assert code == 1 and "escalation required" in text
    assert sign(deal, "--override", "VP agreed by phone")[0] == 0


def test_after_stop_only_rejected(deal: str) -> None:
    ready(deal)
    gb("set", deal, "partners=2")
    gb("escalate", deal, "--to", "VP", "--decision", "stop", "--date", "2026-11-29")
    code, text = sign(deal, "--override", "please")
    assert code == 1 and "only `rejected`" in text
    assert sign(deal, decision="rejected")[0] == 0
    for bad in (("--decision", "maybe"), ("--date", "2026-13-01")):
        args = ["escalate", deal, "--to", "VP", "--decision", "proceed", *bad]
        assert gb(*args)[0] == 2


# ---- the score target, addressed risks, the gate that decides sign-off -----------------


def test_approved_is_refused_below_the_target(deal: str) -> None:
    ready(deal, tcv="1M", rating="3")  # 75 of a target of 90
    code, text = sign(deal)
    assert code == 1
    assert "overall 75 is below the target 90: approve with conditions, or override" in text
    code, text = sign(deal, decision="approved-with-conditions")
    assert code == 1 and "--comment" in text
    code, text = sign(deal, "--comment", "Raise PM to 4", decision="approved-with-conditions")
    assert code == 0, text
    assert sign(deal, "--override", "Sponsor accepts 75")[0] == 0
    ready(deal, tcv="1M", rating="4")
    assert sign(deal)[0] == 0


def test_a_missing_overall_counts_as_below(deal: str) -> None:
    ready(deal, tcv="1M")
    gb("set", deal, "quality=")
    code, text = sign(deal)
    assert code == 1 and "overall is not scored yet, below the target 90" in text


def test_a_high_flag_needs_mitigation_and_contingency(deal: str) -> None:
    ready(deal)
    gb("risk", deal, "big", "--mitigation", "Phase it")
    code, text = sign(deal)
    assert code == 1 and "without a mitigation and a contingency" in text
    gate = show(deal)["evaluation"]["gates"]["ready"]
    assert gate["unmet"] == ["ticks.documented"]  # the gate item reads the register
    gb("risk", deal, "big", "--contingency", "Stop after phase 1")
    assert show(deal)["evaluation"]["gates"]["ready"]["passed"] is True
    assert sign(deal)[0] == 0


def test_only_the_gate_that_decides_sign_off_blocks_it(deal: str) -> None:
    ready(deal, tcv="1M")
    gb("set", deal, "doc=")  # ticked, not documented: the deciding gate is unmet
    code, text = sign(deal)
    assert code == 1 and "gate Ready: 0 of 1 met" in text and "Later" not in text
    data = show(deal)["evaluation"]["gates"]
    assert data["later"]["passed"] is True


# ---- sessions and section N/A -------------------------------------------------------


def test_meeting_splits_attendees_as_the_contract_says(deal: str) -> None:
    code, _, err = gb(
        "meeting", deal, "--date", "2026-11-29", "--attendee", "Ana Lima, Acme, Inc., CTO",
        "--attendee", "Bo Chen, Partner Co", "--attendee", "Cy", "--note", "Kickoff",
    )  # fmt: skip
    assert code == 0, err
    assert show(deal)["meetings"] == [
        {
            "date": "2026-11-29",
            "attendees": [
                {"name": "Ana Lima", "organisation": "Acme, Inc.", "role": "CTO"},
                {"name": "Bo Chen", "organisation": "Partner Co", "role": None},
                {"name": "Cy", "organisation": None, "role": None},
            ],
            "notes": "Kickoff",
        }
    ]
    assert gb("meeting", deal, "--date", "29/11/2026")[0] == 2
    assert gb("meeting", deal, "--attendee", ", Acme")[0] == 2
    assert len(show(deal)["meetings"]) == 1


def test_na_section_marks_each_question_with_one_reason(deal: str) -> None:
    code, _, err = gb("set", deal, "--na-section", "extras=Out of scope")
    assert code == 0, err
    reason = "Out of scope"
    assert show(deal)["not_applicable"] == {"extra_one": reason, "extra_two": reason}
    assert "One: N/A (Out of scope)" in gb("show", deal)[1]
    assert gb("set", deal, "--na-section", "extra=x")[0] == 2
    gb("set", deal, "--na-section", "extras=")
    assert show(deal)["not_applicable"] == {}


# ---- the plan ------------------------------------------------------------------------


def test_the_plan_carries_register_sessions_escalation_and_verifies(
    deal: str, tmp_path: Path
) -> None:
    ready(deal)
    gb("set", deal, "partners=2")
    gb("risk", deal, "big", "--mitigation", "Phase | it", "--contingency", "<b>stop</b>")
    gb("escalate", deal, "--to", "Maria", "--decision", "proceed", "--date", "2026-11-29")
    gb("meeting", deal, "--date", "2026-11-28", "--attendee", "Ana, Acme, CTO")
    plan = tmp_path / "plan.md"
    assert gb("export", deal, "-o", str(plan))[0] == 0
    text = plan.read_text()
    for heading in ("## Summary", "## Risk register", "## Sessions", "## Escalation"):
        assert heading in text
    assert "```mermaid\nxychart-beta" in text and "line [90]" in text
    assert "<b>" not in text.split("<details>")[0]
    code, out, err = gb("verify", str(plan))
    assert code == 0, out + err
    code, out, err = gb("import", str(plan))
    assert code == 0, err
    imported = show(out.strip())
    assert imported["meetings"] == show(deal)["meetings"]
    assert imported["risk_register"] == show(deal)["risk_register"]
    assert imported["escalation"] == show(deal)["escalation"]


def test_a_register_edit_voids_a_sign_off(deal: str) -> None:
    ready(deal, tcv="1M")
    assert sign(deal)[0] == 0
    gb("risk", deal, "--add", "Late hardware")
    assert show(deal)["status"] == "void"
    signoff = show(deal)["signoffs"][0]
    assert "risk_register" in signoff["changed_since"]


# ---- the questionnaire keys ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("snippet", "where", "message"),
    [
        ('plan:\n  - title: X\n    show: ["section:fact"]\n', "plan", "unknown section id 'fact'"),
        ("plan:\n  - title: X\n    show: [registry]\n", "plan", "unknown plan entry 'registry'"),
        ("plan:\n  - title: X\n    show: []\n", "plan", "at least 1"),
        ("plan:\n  - title: X\n    lines: ['{nope:share}']\n    show: [summary]\n", "plan", "nope"),
    ],
)
def test_plan_key_mistakes_are_located(
    tmp_path: Path, snippet: str, where: str, message: str
) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(CUSTOM + snippet)
    code, _, err = gb("validate", str(path))
    assert code == 2 and message in err
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text == "plan:")
    assert err.startswith(f"{path}:") and int(err.split(":")[1]) > line


def test_gate_item_conditions_are_checked_and_register_helpers_stay_in_gates(
    tmp_path: Path,
) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(CUSTOM.replace("answered(doc) and", "answered(dco) and"))
    code, _, err = gb("validate", str(path))
    assert code == 2 and "unknown question id 'dco'" in err and "Did you mean 'doc'?" in err
    path.write_text(CUSTOM.replace("when: tcv > 5000000", "when: risk_rows() > 0"))
    code, _, err = gb("validate", str(path))
    assert code == 2 and "risk_rows() can only be used in gate items" in err


def test_the_schema_documents_plan_and_gate_conditions() -> None:
    schema = json.loads(gb("schema")[1])
    text = json.dumps(schema)
    assert "plan" in schema["properties"] and "decides_signoff" in text
    assert "risks_unaddressed()" in text


def test_a_row_marked_mitigated_or_accepted_says_its_status_not_that_it_needs_mitigation(
    deal: str,
) -> None:
    """`risk REVIEW` lists what each row still asks: an open row needs its mitigation
    and contingency; a row marked mitigated or accepted says its status, and a high one
    only what sign-off still reads; an addressed row says so."""
    assert gb("set", deal, "tcv=6M", "partners=3")[0] == 0
    added = gb("risk", deal, "--add", "Staff churn", "--severity", "medium")[1].strip()
    assert gb("risk", deal, "big", "--status", "mitigated")[0] == 0
    assert gb("risk", deal, added, "--status", "accepted")[0] == 0
    code, out, err = gb("risk", deal)
    assert code == 0, err
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert lines["crowd"].endswith("[status open; needs mitigation and contingency]")
    assert lines["big"].endswith("[status mitigated; to sign: write mitigation and contingency]")
    assert lines[added].endswith("[status accepted]")
    assert "needs mitigation" not in lines["big"] + lines[added]
    assert gb("risk", deal, "big", "--mitigation", "Phase it", "--contingency", "Stop")[0] == 0
    assert gb("risk", deal)[1].count("; addressed]") == 1
