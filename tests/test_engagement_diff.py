"""`gatebook engagement diff ENG [FROM [TO]]` (issue 34, "Everything from inside the
engagement"): members added and removed, stage, status and reasons before and after,
each kept member's diff as `gatebook diff` gives it, the default FROM, the status as of
the milestone's date, and the exit statuses."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from gatebook.engagement.store import EngagementStore
from gatebook.engagement.timeline import take_engagement_milestone
from gatebook.workspace import make_catalog, open_store

from .cli_support import gb, ok

KEYS = [
    "from",
    "to",
    "members_added",
    "members_removed",
    "stage",
    "status",
    "reasons",
    "reviews",
]


def engagement_diff(*args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok("engagement", "diff", *args, "--format", "json"))
    return data


def acme() -> tuple[str, str]:
    engagement = ok("engagement", "new", "Acme data", "--customer", "Acme", "--start", "2026-01-05")
    oqr = ok("new", "oqr", "--title", "Acme OQR", "--engagement", engagement)
    return engagement, oqr


def test_the_json_keys_are_exact_and_each_member_diff_is_gatebook_diff() -> None:
    engagement, oqr = acme()
    ok("set", oqr, "tcv_usd=6M")
    ok("engagement", "milestone", engagement, "sow-start")
    ok("set", oqr, "production_access=yes")
    data = engagement_diff(engagement, "sow-start", "now")
    assert list(data) == KEYS
    assert (data["from"], data["to"]) == ("sow-start", "now")
    assert data["members_added"] == [] and data["members_removed"] == []
    assert data["stage"] == {"from": "validation", "to": "validation"}
    assert data["status"] == {"from": "amber", "to": "amber"}
    assert data["reasons"]["from"] == [
        f"{oqr}: high risk large_deal_size without mitigation and contingency"
    ]
    raised = f"{oqr}: high risk production_access without mitigation and contingency"
    assert raised in data["reasons"]["to"]
    review_diff = json.loads(ok("diff", oqr, "sow-start", "now", "--format", "json"))
    assert data["reviews"] == {oqr: review_diff}
    assert review_diff["flags"]["raised"] == ["production_access"]


def test_members_added_and_removed_and_an_added_member_has_no_reviews_entry() -> None:
    engagement, oqr = acme()
    pesa = ok("new", "pesa", "--title", "Acme PESA", "--engagement", engagement)
    ok("engagement", "milestone", engagement, "before-handover")
    s2d = ok("new", "s2d", "--title", "Acme S2D", "--engagement", engagement)
    ok("engagement", "remove", engagement, pesa)  # left since: still a member then
    data = engagement_diff(engagement, "before-handover")
    assert data["members_added"] == [s2d]
    assert data["members_removed"] == [pesa]
    assert set(data["reviews"]) == {oqr}  # neither the added nor the removed member
    assert data["stage"] == {"from": "sow", "to": "handover"}
    code, out, _ = gb("engagement", "diff", engagement, "before-handover")
    assert code == 0
    assert "Members:\n" in out
    assert f"  added {s2d} (Acme S2D)" in out and f"  removed {pesa} (Acme PESA)" in out
    assert "Stage: sow -> handover" in out and f"Review {oqr} (Acme OQR): nothing changed" in out


def test_a_milestone_name_as_to_compares_two_milestones() -> None:
    engagement, oqr = acme()
    ok("engagement", "milestone", engagement, "one")
    pesa = ok("new", "pesa", "--title", "Acme PESA", "--engagement", engagement)
    ok("set", oqr, "tcv_usd=6M")
    ok("engagement", "milestone", engagement, "two")
    ok("set", oqr, "tcv_usd=1M")  # after TO: not in the diff
    data = engagement_diff(engagement, "one", "two")
    assert (data["from"], data["to"], data["members_added"]) == ("one", "two", [pesa])
    assert data["reviews"][oqr]["flags"]["raised"] == ["large_deal_size"]
    assert data["status"] == {"from": "green", "to": "amber"}


def test_from_defaults_to_the_newest_name_every_member_then_had() -> None:
    engagement, oqr = acme()
    code, _, err = gb("engagement", "diff", engagement)
    assert code == 1 and "no milestone" in err
    assert f"gatebook engagement milestone {engagement} NAME" in err
    ok("engagement", "milestone", engagement, "first")
    ok("new", "pesa", "--title", "Acme PESA", "--engagement", engagement)
    ok("engagement", "milestone", engagement, "second")
    ok("milestone", oqr, "oqr-only")  # newer, but only one member has it
    assert engagement_diff(engagement)["from"] == "second"
    code, out, _ = gb("engagement", "diff", engagement)
    assert code == 0 and out.startswith(f"Changes to engagement {engagement} from second to now")


def test_a_default_from_of_milestones_each_member_took_alone() -> None:
    """Names taken member by member (`gatebook milestone`) count when every member that
    existed then holds them; a review's `before-upgrade-N` never does."""
    engagement, oqr = acme()
    pesa = ok("new", "pesa", "--title", "Acme PESA", "--engagement", engagement)
    ok("milestone", oqr, "kickoff-ready")
    ok("milestone", pesa, "kickoff-ready")
    assert engagement_diff(engagement)["from"] == "kickoff-ready"


def test_the_status_at_a_milestone_is_as_of_its_date(isolated_home: Path) -> None:
    """A high row addressed and due 2020-06-01: at a milestone of 2020-02-01 it is not
    yet past its due date (green); now it is (red)."""
    engagement, oqr = acme()
    ok("set", oqr, "tcv_usd=6M")
    ok(
        "risk", oqr, "large_deal_size", "--mitigation", "Phase the deal",
        "--contingency", "Executive sponsor", "--due", "2020-06-01", "--status", "open",
    )  # fmt: skip
    store = open_store(isolated_home, make_catalog(isolated_home))
    store.clock = lambda: "2020-02-01T09:00:00Z"
    take_engagement_milestone(store, EngagementStore(store).get(engagement), "february")
    data = engagement_diff(engagement, "february")
    assert data["status"] == {"from": "green", "to": "red"}
    assert data["reasons"] == {
        "from": [],
        "to": [f"{oqr}: high risk large_deal_size past its due date 2020-06-01"],
    }
    assert data["reviews"][oqr]["register"] == []  # the row itself did not change


def test_the_status_at_a_milestone_comes_from_the_frozen_states() -> None:
    """An escalation decided `stop` after the milestone: red now, not then."""
    engagement, oqr = acme()
    ok("engagement", "milestone", engagement, "calm")
    ok("escalate", oqr, "--to", "VP Delivery", "--decision", "stop", "--date", "2026-02-01")
    data = engagement_diff(engagement, "calm")
    assert data["status"] == {"from": "green", "to": "red"}
    assert f"{oqr}: escalation decided stop" in data["reasons"]["to"]


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["eng-000000"], 1, "no engagement"),
        (["{eng}", "nope"], 1, "no member of engagement"),
        (["{eng}", "m1", "nope"], 1, "no member of engagement"),
        (["{eng}", "../x"], 2, "not a valid milestone id"),
        (["{eng}", "m1", "now", "extra"], 2, "at most two points"),
        (["{eng}", "m1", "--format", "xml"], 2, "xml"),
        (["../eng"], 2, "not a valid"),
    ],
)
def test_exit_statuses(args: list[str], code: int, said: str) -> None:
    engagement, _ = acme()
    ok("engagement", "milestone", engagement, "m1")
    argv = [arg.replace("{eng}", engagement) for arg in args]
    status, out, err = gb("engagement", "diff", *argv)
    assert status == code, err
    assert said in err and out == ""


def test_a_damaged_milestone_of_a_member_is_named_exit_1(isolated_home: Path) -> None:
    engagement, oqr = acme()
    ok("engagement", "milestone", engagement, "m1")
    path = isolated_home / "milestones" / oqr / "m1.json"
    os.chmod(path, 0o644)
    path.write_text(path.read_text(encoding="utf-8")[:200], encoding="utf-8")  # truncated
    code, out, err = gb("engagement", "diff", engagement, "m1")
    assert (code, out) == (1, "")
    assert str(path) in err and "damaged" in err


def test_the_engagement_milestone_notes_the_engagement() -> None:
    engagement, oqr = acme()
    ok("engagement", "milestone", engagement, "m1")
    (listed,) = json.loads(ok("milestones", oqr, "--format", "json"))
    assert listed["note"] == f"engagement {engagement}"


def test_the_help_has_an_example() -> None:
    code, out, _ = gb("engagement", "diff", "--help")
    assert code == 0 and "Example" in out and "engagement diff eng-" in out
