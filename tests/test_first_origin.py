"""`first_origin` (issue 34, "Registers at call speed"): a carried row's stored
`origin` stays the row it was copied from; `show --format json` adds `first_origin`,
derived by following the chain of origins to the review that first raised it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatebook.store.model import RiskRow
from gatebook.store.origins import first_origin

from .cli_support import ok, show
from .conftest import write
from .test_engagements import STAGES, questionnaire


@pytest.fixture(autouse=True)
def stage_questionnaires(isolated_home: Path) -> None:
    for qid, stage in STAGES.items():
        write(isolated_home / "questionnaires" / f"{qid}.yaml", questionnaire(qid, stage))


def member(engagement: str, qid: str) -> str:
    return ok("new", qid, "--title", f"Acme {qid}", "--engagement", engagement, "--override", "t")


def test_show_json_follows_the_chain_of_origins_to_the_first_review(isolated_home: Path) -> None:
    engagement = ok("engagement", "new", "Acme platform")
    first = member(engagement, "v1")
    ok("set", first, "tcv=6M", "note=risky")
    second = member(engagement, "s1")
    third = member(engagement, "h1")
    rows = {row["id"]: row for row in show(third)["risk_register"]}
    assert rows["big"]["origin"] == f"{second}/big"  # stored: the row it was copied from
    assert rows["big"]["first_origin"] == f"{first}/big"  # derived: the first review
    assert rows["own_v1"]["first_origin"] == f"{first}/own_v1"
    second_rows = {row["id"]: row for row in show(second)["risk_register"]}
    assert second_rows["big"]["first_origin"] == f"{first}/big"  # one hop
    assert {row["first_origin"] for row in show(first)["risk_register"]} == {None}
    listed = {row["id"]: row for row in json.loads(ok("risk", third, "--format", "json"))}
    assert listed["big"]["first_origin"] == f"{first}/big"
    assert f"(from {first})" in ok("risk", third)
    stored = json.loads(next((isolated_home / "reviews").glob(f"{third}*")).read_text())
    assert "first_origin" not in json.dumps(stored)  # derived, never stored


def test_a_chain_through_a_deleted_review_ends_at_the_last_origin_known() -> None:
    engagement = ok("engagement", "new", "Acme platform")
    first = member(engagement, "v1")
    ok("set", first, "tcv=6M")
    second = member(engagement, "s1")
    third = member(engagement, "h1")
    ok("delete", second)
    rows = {row["id"]: row for row in show(third)["risk_register"]}
    assert rows["big"]["first_origin"] == f"{second}/big"


def test_a_looping_chain_ends_and_a_missing_row_is_where_the_risk_began() -> None:
    rows = {
        "a": {"x": RiskRow(origin="b/x")},
        "b": {"x": RiskRow(origin="a/x")},
        "c": {},
    }
    assert first_origin("a/x", rows.get) in ("a/x", "b/x")
    assert first_origin("c/x", rows.get) == "c/x"
    assert first_origin(None, rows.get) is None
