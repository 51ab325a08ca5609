"""Outcomes between two laptops (issue 33): real git clones with the merge driver as
`gatebook init --git` registers it. Outcomes both add are both kept, the same outcome's
status edited both ways is one conflict settled by `resolve`, and a review that joined
the engagement on one laptop (carrying rows) merges with the other's edits."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from .test_merge_git import Laptops, commit_push, conflicts, laptops, pull
from .test_team import git, ok

__all__ = ["laptops"]  # the fixture, used by name

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def outcomes(home: Any, review: str) -> dict[str, dict[str, Any]]:
    shown = json.loads(ok(home, "show", review, "--format", "json"))
    return {row["id"]: row for row in shown["outcomes"]}


def test_outcomes_from_two_laptops_merge_and_a_status_conflict_is_settled(
    laptops: Laptops,
) -> None:
    one, two, review = laptops
    engagement = ok(one, "engagement", "new", "Acme platform")
    ok(one, "engagement", "add", engagement, review)
    shared = ok(one, "outcome", review, "--add", "Cut claim time", "--metric", "days")
    commit_push(one, "one: engagement and an outcome")
    assert pull(two).returncode == 0
    mine = ok(one, "outcome", review, "--add", "Lower cost per claim", "--cbo", "efficiency")
    ok(one, "outcome", review, shared, "--status", "on_track")
    commit_push(one, "one: a second outcome, on track")
    theirs = ok(two, "outcome", review, "--add", "No data breach", "--cbo", "reduced_risk")
    ok(two, "outcome", review, shared, "--status", "at_risk", "--evidence", "two sprints late")
    dqi = ok(two, "new", "dqi", "--title", "Loose DQI")
    ok(two, "engagement", "add", engagement, dqi)  # carries the outcomes two has
    git(two, "add", "-A")
    git(two, "commit", "-qm", "two: a third outcome, at risk, and a DQI joins")
    done = pull(two)
    assert done.returncode != 0  # the status both edited is a conflict, recorded
    field = f"outcomes.{shared}.status"
    assert [c["field"] for c in conflicts(two, review)] == [field]
    assert f"gatebook resolve {review} {field}" in done.stderr
    rows = outcomes(two, review)
    assert set(rows) == {shared, mine, theirs}  # nothing lost
    assert rows[shared]["evidence"] == "two sprints late"  # one side only: merged
    ok(two, "resolve", review, field, "--take", "theirs")
    assert conflicts(two, review) == []
    assert outcomes(two, review)[shared]["status"] == "on_track"
    carried = outcomes(two, dqi)
    assert {row["origin"] for row in carried.values()} == {
        f"{review}/{shared}",
        f"{review}/{theirs}",
    }
    commit_push(two, "two: merged and settled")
    assert pull(one).returncode == 0
    assert set(outcomes(one, review)) == {shared, mine, theirs}
    assert conflicts(one, review) == []
    members = json.loads(ok(one, "engagement", "show", engagement, "--format", "json"))
    assert [m["id"] for m in members["reviews"]] == [review, dqi]
    listed = {row["title"] for row in members["outcomes"]}
    assert listed == {"Cut claim time", "Lower cost per claim", "No data breach"}
