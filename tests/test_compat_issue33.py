"""Old data keeps working after issue 33 (versions, outcomes, RAG now, next steps).

The files here were written by gatebook as it was before issue 33 (commit 622fdee):
they must keep verifying and importing with today's gatebook, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from gatebook.questionnaire.loader import load_questionnaire
from gatebook.store.canonical import questionnaire_digest

from .cli_support import gb, ok
from .test_journal import needs_strace, traced

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


# ---- questionnaire digests -----------------------------------------------------------------

ROOT = Path(__file__).parent.parent
DIGESTS_BEFORE_33: dict[str, str] = json.loads(
    (Path(__file__).parent / "data" / "before33" / "digests.json").read_text()
)
"""questionnaire_digest of each file as commit 622fdee (before issue 33) computed it."""


@pytest.mark.parametrize("name", sorted(DIGESTS_BEFORE_33))
def test_questionnaire_digests_are_those_before_issue_33(name: str) -> None:
    """The shipped earlier versions, the PESA (unchanged), user questionnaires and lens
    imports: the new keys (`outcomes`, `approve_at`) stay out of the snapshot."""
    digest = questionnaire_digest(load_questionnaire(ROOT / name))
    assert digest == "sha256:" + DIGESTS_BEFORE_33[name]


USER_QUESTIONNAIRE = """\
id: mine
title: Mine
version: "1.0"
sections:
  - id: s
    title: S
    questions:
      - {id: ready, type: boolean, prompt: Ready?}
      - {id: done, type: boolean, prompt: Done?}
gates:
  - {id: g, title: G, items: [ready, done]}
"""


def test_new_keys_at_their_default_leave_a_user_questionnaire_digest_alone(
    tmp_path: Path,
) -> None:
    plain, explicit = tmp_path / "plain.yaml", tmp_path / "explicit.yaml"
    plain.write_text(USER_QUESTIONNAIRE)
    explicit.write_text("outcomes: false\n" + USER_QUESTIONNAIRE)
    digest = questionnaire_digest(load_questionnaire(plain))
    assert questionnaire_digest(load_questionnaire(explicit)) == digest
    used = tmp_path / "used.yaml"
    used.write_text(
        USER_QUESTIONNAIRE.replace("items: [ready, done]", "items: [ready, done], approve_at: 1")
    )
    assert questionnaire_digest(load_questionnaire(used)) != digest


# ---- a workspace written before issue 33 ---------------------------------------------------

BEFORE_33_DATA = Path(__file__).parent / "data" / "before33"
"""Reviews of every built-in (oqr 2.0.0, pesa, s2d/kickoff/dqi/close/okr-* 1.0.0) filled,
signed with an override by gatebook at commit 622fdee, in one engagement; close-000006
answers `outcomes_achieved`. expected.json: what that gatebook showed of each."""


def _files(home: Path) -> dict[str, bytes]:
    return {
        p.relative_to(home).as_posix(): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.parts[len(home.parts)] in ("reviews", "engagements")
    }


@pytest.fixture
def old_workspace(isolated_home: Path) -> Path:
    shutil.copytree(BEFORE_33_DATA / "workspace", isolated_home)
    return isolated_home


def test_reviews_before_issue_33_keep_digest_status_and_signoffs(old_workspace: Path) -> None:
    """Judged against the version each records: nothing voided, nothing written."""
    before = _files(old_workspace)
    expected = json.loads((BEFORE_33_DATA / "expected.json").read_text())
    for review_id, was in expected.items():
        now = json.loads(ok("show", review_id, "--format", "json"))
        assert now["version"] == was["version"], review_id
        assert now["digest"] == was["digest"], review_id
        assert now["status"] == was["status"], review_id
        assert [[s["role"], s["state"]] for s in now["signoffs"]] == was["signoffs"], review_id
    ok("engagement", "show", "eng-d7871e", "--format", "json")
    ok("report")
    ok("list")
    assert _files(old_workspace) == before  # opening never upgrades


def test_upgrade_says_what_it_voids_and_diff_shows_the_dropped_answer(
    old_workspace: Path,
) -> None:
    code, _, err = gb("upgrade", "close-000006")
    assert code == 0, err
    voids = (
        "close-000006: upgrading to close 2.0.0 voids the sign-offs of "
        "engagement_manager, customer_sponsor"
    )
    upgraded = "close-000006: upgraded close 1.0.0 -> 2.0.0; took milestone before-upgrade-1 first"
    assert voids in err and upgraded in err
    assert err.index(voids) < err.index(upgraded)
    diff = json.loads(ok("diff", "close-000006", "before-upgrade-1", "--format", "json"))
    assert {
        "id": "outcomes_achieved",
        "prompt": "Were the customer business outcomes achieved?",
        "from": 3,
        "to": None,
    } in diff["answers"]
    assert show_status("close-000006") == "void"
    s2d = json.loads(ok("upgrade", "s2d-000003", "--format", "json"))
    assert s2d == {
        "review": "s2d-000003",
        "from": "1.0.0",
        "to": "2.0.0",
        "milestone": "before-upgrade-1",
        "voided": ["sales_lead", "delivery_lead"],
    }
    diff = json.loads(ok("diff", "s2d-000003", "before-upgrade-1", "--format", "json"))
    assert "no_measurable_outcome" in diff["flags"]["cleared"]
    assert "no_outcomes" in diff["flags"]["raised"]


def show_status(review_id: str) -> str:
    return str(json.loads(ok("show", review_id, "--format", "json"))["status"])


# ---- hand-edited answers behind the inspection loop ----------------------------------------

SIGNERS = {
    "oqr": ("engagement_lead", "reviewer", "delivery_manager"),
    "pesa": ("security_reviewer", "engagement_lead"),
    "s2d": ("sales_lead", "delivery_lead"),
}


def _inspected_engagement() -> tuple[str, dict[str, str]]:
    """OQR, PESA and S2D signed (with overrides), a kickoff and a DQI of 2026-10-01 that
    is not ready to close: the next step is the next DQI."""
    engagement = ok("engagement", "new", "Loop Co")
    ids: dict[str, str] = {}
    for qid in ("oqr", "pesa", "s2d", "kickoff", "dqi"):
        args = ("new", qid, "--title", qid, "--engagement", engagement, "--override", "test")
        ids[qid] = ok(*args)
    for qid, roles in SIGNERS.items():
        for role in roles:
            ok("signoff", ids[qid], "--role", role, "--name", "Ana", "--decision", "approved",
               "--override", "t", "--no-sign")  # fmt: skip
    ok("set", ids["dqi"], "inspection_date=2026-10-01", "ready_to_close=no")
    return engagement, ids


def _hand_edit(home: Path, review_id: str, question: str, value: object) -> None:
    path = home / "reviews" / f"{review_id}.json"
    data = json.loads(path.read_text())
    data["review"]["1"]["answers"][question] = value
    path.write_text(json.dumps(data))


def _next_step(engagement: str) -> dict[str, str]:
    shown = json.loads(ok("engagement", "show", engagement, "--format", "json"))
    step: dict[str, str] = shown["next_step"]
    return step


@pytest.mark.parametrize("cadence", [0, -5, 400, 10**12, 1e308, "ninety", [30]])
def test_a_cadence_the_kickoff_cannot_hold_counts_as_unanswered(
    isolated_home: Path, cadence: object
) -> None:
    """`dqi_cadence_days` is 1..365: a hand-edited value outside it is read as unanswered
    (90 days), never as a date past the calendar that would skip to the close."""
    engagement, ids = _inspected_engagement()
    assert _next_step(engagement)["reason"] == "next inspection due 2026-12-30"
    _hand_edit(isolated_home, ids["kickoff"], "dqi_cadence_days", cadence)
    assert _next_step(engagement) == {
        "stage": "inspect",
        "questionnaire": "dqi",
        "reason": "next inspection due 2026-12-30",
    }


@pytest.mark.parametrize("date", ["yesterday", 20261001, "2026-02-31"])
def test_an_unparseable_inspection_date_counts_as_unanswered(
    isolated_home: Path, date: object
) -> None:
    """A DQI whose inspection date is not a date is dated by its creation, as an
    unanswered one is: the loop goes on (never a silent jump to the close)."""
    engagement, ids = _inspected_engagement()
    _hand_edit(isolated_home, ids["dqi"], "inspection_date", date)
    created = json.loads(ok("show", ids["dqi"], "--format", "json"))["created"][:10]
    due = (dt.date.fromisoformat(created) + dt.timedelta(days=90)).isoformat()
    assert _next_step(engagement)["reason"] == f"next inspection due {due}"


# ---- hand-edited observed values of an OKR checkpoint --------------------------------------


@pytest.mark.parametrize("value", ["NaN", "nan", "Infinity", "-inf", "sNaN", "lots", True])
def test_an_observed_value_that_is_no_finite_number_has_no_result(
    isolated_home: Path, value: object
) -> None:
    """A hand-edited `observed` row whose value is NaN, infinite or text reads no result
    (as a missing value does): never a traceback, never `success`."""
    review = ok("new", "okr-review", "--title", "Checkpoint")
    row = {"metric": "m", "direction": "higher", "success": 100, "partial_success": 50,
           "no_impact": 0, "negative_impact": -10, "value": value}  # fmt: skip
    _hand_edit(isolated_home, review, "observed", [row])
    shown = json.loads(ok("show", review, "--format", "json"))
    assert shown["metric_results"] == [{"metric": "m", "observed": value, "result": None}]
    ok("export", review)


# ---- the new questionnaire keys, hostile ---------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('outcomes: "yes"\n', "`outcomes`: Input should be a valid boolean"),
        ("outcomes: 1\n", "`outcomes`: Input should be a valid boolean"),
    ],
)
def test_outcomes_is_true_or_false(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(line + USER_QUESTIONNAIRE)
    code, _, err = gb("validate", str(path))
    assert code == 2 and f"{path}:1:11: {message}" in err, err


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("true", "`approve_at`: Input should be a valid integer"),
        ('"2"', "`approve_at`: Input should be a valid integer"),
        ("0", "`approve_at`: Input should be greater than or equal to 1"),
        ("-3", "`approve_at`: Input should be greater than or equal to 1"),
        ("3", "approve_at 3 is more than the gate's 2 items; write at most 2"),
    ],
)
def test_approve_at_is_a_count_of_the_gates_items(tmp_path: Path, value: str, message: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        USER_QUESTIONNAIRE.replace(
            "items: [ready, done]", f"items: [ready, done], approve_at: {value}"
        )
    )
    code, _, err = gb("validate", str(path))
    assert code == 2 and f"{path}:11:57: " in err and message in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("due", ["2027-13-45", 20270101, "soon", {"y": 2027}])
def test_a_deliverable_with_a_junk_cell_is_copied_forward_without_that_cell(
    isolated_home: Path, due: object
) -> None:
    """A hand-edited kickoff row whose due date is not one: the new DQI starts with every
    deliverable, that row without its due date (before: the whole table was dropped)."""
    engagement, ids = _inspected_engagement()
    rows = [
        {"deliverable": "Landing zone", "owner": "Ana", "due": due, "acceptance": "signed"},
        {"deliverable": "Data migration", "owner": "Bo", "due": "2027-01-15"},
    ]
    _hand_edit(isolated_home, ids["kickoff"], "deliverables", rows)
    dqi = ok("new", "dqi", "--title", "DQI 2", "--engagement", engagement)
    assert json.loads(ok("show", dqi, "--format", "json"))["answers"]["deliverables"] == [
        {"deliverable": "Landing zone", "owner": "Ana", "acceptance": "signed"},
        {"deliverable": "Data migration", "owner": "Bo", "due": "2027-01-15"},
    ]


# ---- a crash half-way through `engagement add` carrying rows ------------------------------


@needs_strace
@pytest.mark.parametrize(("killed_at", "completed"), [(2, True), (3, False)])
def test_engagement_add_carrying_rows_is_all_or_nothing_after_a_crash(
    isolated_home: Path, killed_at: int, completed: bool
) -> None:
    """The joining review (its carried outcome and risk) and the engagement file are one
    change: killed between the two files, the next command completes or rolls back both."""
    engagement = ok("engagement", "new", "Crash Co")
    oqr = ok("new", "oqr", "--title", "OQR", "--engagement", engagement)
    outcome = ok("outcome", oqr, "--add", "Cut claim time", "--metric", "days", "--target", "5")
    risk = ok("risk", oqr, "--add", "Key architect may leave", "--severity", "high")
    dqi = ok("new", "dqi", "--title", "Loose DQI")
    done = traced("signal=KILL", killed_at, "engagement", "add", engagement, dqi)
    assert done.returncode != 0 and (isolated_home / "journal.json").exists()
    code, _, err = gb("engagement", "new", "Other")  # any write command settles it
    assert code == 0 and ("completed" if completed else "rolled back") in err
    joined = json.loads(ok("show", dqi, "--format", "json"))
    origins = {row["origin"] for row in joined["outcomes"]}
    rows = joined["risk_register"] or []
    registered = {row.get("origin") for row in (rows.values() if isinstance(rows, dict) else rows)}
    members = json.loads(ok("engagement", "show", engagement, "--format", "json"))["reviews"]
    if completed:
        assert joined["engagement"] == engagement and dqi in [m["id"] for m in members]
        assert origins == {f"{oqr}/{outcome}"} and f"{oqr}/{risk}" in registered
    else:
        assert joined["engagement"] is None and dqi not in [m["id"] for m in members]
        assert origins == set() and not registered
    assert not list(isolated_home.rglob("*.gbjournal"))


# ---- undo of a hand-edited history entry -------------------------------------------------


@pytest.mark.parametrize(
    "old",
    [
        "x",
        [1, 2],
        {"outcomes": "x"},
        {"outcomes": {"outcome_aaaaaa": {"title": {"a": 1}}}},
        {"risk_register": {"risk_1": 5}},
        {"outcomes": {"outcome_aaaaaa": {"title": "t", "status": "bogus"}}},
    ],
)
def test_undo_of_a_carry_whose_recorded_value_is_junk_is_refused(
    isolated_home: Path, old: object
) -> None:
    """`engagement add` records what it carried as one history entry; a hand-edited one
    that no command could have written is refused by undo, named, nothing written (it
    was a traceback)."""
    engagement = ok("engagement", "new", "Undo Co")
    oqr = ok("new", "oqr", "--title", "OQR", "--engagement", engagement)
    ok("outcome", oqr, "--add", "Cut claim time")
    dqi = ok("new", "dqi", "--title", "Loose DQI")
    ok("engagement", "add", engagement, dqi)
    path = isolated_home / "reviews" / f"{dqi}.json"
    data = json.loads(path.read_text())
    entry = data["review"]["1"]["history"][-1]
    assert entry["kind"] == "carry"
    entry["old"] = old
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    code, _, err = gb("undo", dqi)
    assert code == 2, err
    assert f"{dqi}: history entry {len(data['review']['1']['history']) - 1} (carry" in err
    assert "cannot be undone" in err and "nothing was changed" in err
    assert path.read_bytes() == before


def test_one_override_reason_given_by_several_roles_is_one_reason(isolated_home: Path) -> None:
    """Three roles signing the OQR with the same override reason make one sentence in
    `reasons`, not three identical ones."""
    engagement, ids = _inspected_engagement()
    reasons = json.loads(ok("engagement", "show", engagement, "--format", "json"))["reasons"]
    about_oqr = [r for r in reasons if r.startswith(f"{ids['oqr']}: signed with an override")]
    assert len(about_oqr) == 1, reasons
    assert len(reasons) == len(set(reasons)), reasons
