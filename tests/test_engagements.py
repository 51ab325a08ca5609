"""Engagements (issue: one customer engagement through its whole life): the record and
its CLI, stages and stage gates, shared answers in both directions with undo, risks
carried forward, RAG, the combined plan, and hostile engagement files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from .cli_support import gb, ok, show
from .conftest import write

STAGES = {"v1": "validation", "s1": "sow", "h1": "handover", "l1": "launch", "c1": "close"}


def questionnaire(qid: str, stage: str, *, region: str = "[eu, us]") -> str:
    return f"""\
id: {qid}
title: {qid.upper()} check
version: "1"
stage: {stage}
sections:
  - id: facts
    title: Facts
    questions:
      - {{id: customer, type: text, prompt: Customer, shared: true}}
      - {{id: tcv, type: money, prompt: Total value, shared: true}}
      - {{id: region, type: choice, prompt: Region, shared: true, options: {region}}}
      - {{id: note, type: text, prompt: Own note}}
risks:
  - {{id: big, title: Big deal, category: financial, severity: high, when: tcv > 5000000}}
  - {{id: own_{qid}, title: Own risk, category: delivery, severity: medium, when: note == "risky"}}
signoff:
  - {{id: lead, title: Lead, required: true}}
"""


@pytest.fixture(autouse=True)
def stage_questionnaires(isolated_home: Path) -> None:
    for qid, stage in STAGES.items():
        region = "[eu, us, apac]" if qid == "h1" else "[eu, us]"
        write(
            isolated_home / "questionnaires" / f"{qid}.yaml",
            questionnaire(qid, stage, region=region),
        )
    dqi = questionnaire("d1", "inspect").replace(
        "      - {id: note, type: text, prompt: Own note}",
        "      - {id: note, type: text, prompt: Own note}\n"
        "      - {id: inspection_date, type: date, prompt: Inspected on}",
    )
    write(isolated_home / "questionnaires" / "d1.yaml", dqi)


def eng_show(engagement_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok("engagement", "show", engagement_id, "--format", "json"))
    return data


def new_engagement(*extra: str) -> str:
    return ok("engagement", "new", "Acme platform", *extra)


def member(engagement: str, qid: str, *extra: str) -> str:
    return ok("new", qid, "--title", f"Acme {qid}", "--engagement", engagement, *extra)


def sign(review_id: str, *extra: str) -> None:
    ok("signoff", review_id, "--role", "lead", "--name", "Ana", "--decision", "approved",
       "--no-sign", *extra)  # fmt: skip


# ---- the record ----------------------------------------------------------------------


def test_new_prints_only_the_id_and_writes_a_canonical_file(isolated_home: Path) -> None:
    code, out, err = gb("engagement", "new", "Acme platform", "--customer", "Acme",
                        "--start", "2026-01-05")  # fmt: skip
    assert code == 0, err
    engagement_id = out.strip()
    assert re.fullmatch(r"eng-[0-9a-f]{6}", engagement_id)
    path = isolated_home / "engagements" / f"{engagement_id}.json"
    text = path.read_text()
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert data["start"] == "2026-01-05" and data["shared"]["customer"] == "Acme"
    shown = eng_show(engagement_id)
    assert shown["customer"] == "Acme" and shown["stage"] is None


@pytest.mark.parametrize(
    "args",
    [
        ("engagement", "new", ""),
        ("engagement", "new", "Acme", "--start", "2026-02-30"),
        ("engagement", "new", "Acme", "--start", "soon"),
        ("engagement", "show", "../x"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(args: tuple[str, ...], isolated_home: Path) -> None:
    code, _, err = gb(*args)
    assert code == 2, err
    assert not (isolated_home / "engagements").exists()


def test_unknown_ids_exit_1_with_the_closest(isolated_home: Path) -> None:
    engagement = new_engagement()
    code, _, err = gb("engagement", "show", engagement[:-1] + "x")
    assert code == 1 and f"Did you mean {engagement!r}" in err
    code, _, err = gb("new", "v1", "--title", "x", "--engagement", engagement + "x")
    assert code == 1 and "Did you mean" in err
    assert not (isolated_home / "reviews").exists() or not list(
        (isolated_home / "reviews").iterdir()
    )
    code, _, err = gb("engagement", "add", engagement, "v1-nothere")
    assert code == 1


def test_show_json_has_exactly_the_contract_keys() -> None:
    engagement = new_engagement("--customer", "Acme")
    review = member(engagement, "v1")
    shown = eng_show(engagement)
    assert list(shown) == [
        "id", "title", "customer", "stage", "status", "reasons", "reviews", "shared", "risks",
        "next_step", "outcomes", "kpis",
    ]  # fmt: skip
    assert list(shown["reviews"][0]) == [
        "id", "questionnaire", "title", "status", "high", "medium", "overall", "target", "signed",
    ]  # fmt: skip
    assert shown["reviews"][0]["id"] == review and shown["stage"] == "validation"
    assert shown["next_step"]["stage"] == "sow" and shown["next_step"]["questionnaire"] == "pesa"
    listed = json.loads(ok("engagement", "list", "--format", "json"))
    assert listed[0]["id"] == engagement and listed[0]["reviews"] == [review]


def test_joining_keeps_the_digest_and_the_sign_off() -> None:
    review = ok("new", "v1", "--title", "Loose")
    ok("set", review, "customer=Acme")
    sign(review)
    before = show(review)
    engagement = new_engagement()
    ok("engagement", "add", engagement, review)
    after = show(review)
    assert after["digest"] == before["digest"] and after["status"] == "signed"
    other = new_engagement()
    code, _, err = gb("engagement", "add", other, review)
    assert code == 2 and engagement in err
    assert review not in eng_show(other)["reviews"]
    ok("engagement", "remove", engagement, review)
    assert eng_show(engagement)["reviews"] == []
    ok("engagement", "add", other, review)


# ---- stages and gates --------------------------------------------------------------


def test_stage_is_the_furthest_delivery_stage_and_gates_warn_but_create() -> None:
    engagement = new_engagement()
    oqr = member(engagement, "v1")
    code, out, err = gb("new", "h1", "--title", "S2D", "--engagement", engagement)
    assert code == 0 and out.strip() and "expects a signed OQR" in err
    assert "the PESA is required before the SOW" in err
    shown = eng_show(engagement)
    assert shown["stage"] == "handover"
    assert shown["next_step"] == {  # the PESA first, before the OQR's signature
        "stage": "sow",
        "questionnaire": "pesa",
        "reason": "the PESA is required before the SOW",
    }
    pesa = member(engagement, "s1")
    assert eng_show(engagement)["next_step"]["reason"] == (
        f"sign {pesa}: the PESA is required before the SOW"
    )
    sign(pesa)
    assert eng_show(engagement)["next_step"]["reason"] == (
        f"sign {oqr}: the S2D handover expects a signed OQR (approved or approved with conditions)"
    )
    code, _, err = gb("new", "l1", "--title", "Kickoff", "--engagement", engagement,
                      "--override", "S2D signed on paper")  # fmt: skip
    assert code == 0 and "warning" not in err
    record = json.loads(next(Path(p) for p in [_engagement_file(engagement)]).read_text())
    assert record["overrides"][0]["stage"] == "launch"
    assert record["overrides"][0]["reason"] == "S2D signed on paper"
    sign(oqr)
    code, _, err = gb("new", "h1", "--title", "S2D again", "--engagement", engagement)
    assert code == 0 and "warning" not in err


def _engagement_file(engagement: str) -> Path:
    import os

    return Path(os.environ["GATEBOOK_HOME"]) / "engagements" / f"{engagement}.json"


def test_a_questionnaire_without_a_stage_never_decides_the_stage(isolated_home: Path) -> None:
    write(isolated_home / "questionnaires" / "free.yaml",
          questionnaire("free", "validation").replace("stage: validation\n", ""))  # fmt: skip
    engagement = new_engagement()
    member(engagement, "free")
    member(engagement, "s1")
    shown = eng_show(engagement)
    assert shown["stage"] == "sow"
    assert [r["questionnaire"] for r in shown["reviews"]] == ["s1", "free"]


# ---- answers typed once ---------------------------------------------------------------


def test_a_shared_answer_is_written_in_every_member_and_undone_from_its_origin() -> None:
    engagement = new_engagement("--customer", "Acme")
    first = member(engagement, "v1")
    second = member(engagement, "s1")
    assert show(second)["answers"]["customer"] == "Acme"  # a new member starts with them
    code, _, err = gb("set", second, "tcv=6M", "note=mine")
    assert code == 0 and first in err
    assert show(first)["answers"]["tcv"] == 6000000
    assert "note" not in show(first)["answers"]
    assert eng_show(engagement)["shared"]["tcv"] == 6000000
    ok("set", first, "note=own change")
    ok("undo", first)  # the receiver undoes its own change, passing over the shared one
    assert show(first)["answers"]["tcv"] == 6000000 and "note" not in show(first)["answers"]
    ok("undo", first)  # nothing of its own left: the shared entry is not undone here
    assert show(first)["answers"]["tcv"] == 6000000
    ok("undo", second)  # note=mine and tcv were one set: the last entry first
    ok("undo", second)
    assert "tcv" not in show(second)["answers"] and "tcv" not in show(first)["answers"]
    assert "tcv" not in eng_show(engagement)["shared"]


def test_a_signed_member_keeps_its_value_and_is_named() -> None:
    engagement = new_engagement()
    first = member(engagement, "v1")
    ok("set", first, "customer=Acme")
    sign(first)
    second = member(engagement, "s1")
    code, _, err = gb("set", second, "customer=Acme Corp")
    assert code == 0 and first in err and "kept" in err
    assert show(first)["answers"]["customer"] == "Acme" and show(first)["status"] == "signed"
    assert eng_show(engagement)["shared"]["customer"] == "Acme Corp"


def test_questions_whose_options_differ_are_not_shared() -> None:
    engagement = new_engagement()
    first = member(engagement, "v1")
    handover = member(engagement, "h1", "--override", "test")
    ok("set", first, "region=eu")
    assert "region" not in show(handover)["answers"]
    code, _, err = gb("engagement", "show", engagement)
    assert code == 0 and "'region' is not shared" in err


def test_a_table_cannot_be_shared(tmp_path: Path) -> None:
    path = write(tmp_path / "t.yaml", questionnaire("t1", "sow").replace(
        "      - {id: note, type: text, prompt: Own note}",
        "      - id: rows\n        type: table\n        shared: true\n        prompt: Rows\n"
        "        columns: [{id: a, type: text, prompt: A}]",
    ))  # fmt: skip
    code, _, err = gb("validate", str(path))
    assert code == 2 and "`shared: true` does not apply to a table" in err
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: ", err)


# ---- risks carried forward --------------------------------------------------------------


def test_open_risks_carry_forward_once_with_their_origin() -> None:
    engagement = new_engagement()
    first = member(engagement, "v1")
    ok("set", first, "tcv=6M", "note=risky")
    ok("risk", first, "own_v1", "--owner", "Bo", "--mitigation", "Plan it")
    second = member(engagement, "s1")
    rows = {row["id"]: row for row in show(second)["risk_register"]}
    assert rows["big"]["origin"] == f"{first}/big"  # a flag it raises itself: one row
    assert rows["own_v1"]["origin"] == f"{first}/own_v1" and rows["own_v1"]["owner"] == "Bo"
    assert rows["own_v1"]["mitigation"] == "Plan it"
    assert [r["id"] for r in show(second)["risk_register"]].count("big") == 1
    ok("risk", second, "own_v1", "--status", "mitigated")
    third = member(engagement, "h1", "--override", "test")
    carried = [row for row in show(third)["risk_register"] if row["origin"]]
    assert {row["origin"] for row in carried} == {f"{second}/big"}  # mitigated: not carried
    risks = eng_show(engagement)["risks"]
    own = [r for r in risks if r["id"] == "own_v1"]
    assert len(own) == 1 and own[0]["status"] == "mitigated" and own[0]["review"] == second
    assert len([r for r in risks if r["id"] == "big"]) == 1


def test_a_carried_id_that_is_taken_gets_a_suffix(isolated_home: Path) -> None:
    engagement = new_engagement()
    first = member(engagement, "v1")
    ok("set", first, "note=risky")
    taken = questionnaire("s1", "sow").replace("own_s1", "own_v1")
    write(isolated_home / "questionnaires" / "s1.yaml", taken)
    second = member(engagement, "s1")
    rows = {row["id"]: row for row in show(second)["risk_register"]}
    assert "own_v1" not in rows and rows["own_v1_2"]["origin"] == f"{first}/own_v1"


def test_existing_reviews_keep_their_digest_with_the_origin_key() -> None:
    review = ok("new", "v1", "--title", "Old")
    ok("set", review, "tcv=6M")
    ok("risk", review, "big", "--owner", "Ana")
    data = show(review)
    assert data["risk_register"][0]["origin"] is None
    from gatebook.store.model import RiskRow

    assert "origin" not in RiskRow(owner="Ana").model_dump(mode="json")


# ---- RAG ----------------------------------------------------------------------------------


def test_rag_green_amber_red() -> None:
    engagement = new_engagement()
    first = member(engagement, "v1")
    assert eng_show(engagement)["status"] == "green"
    ok("set", first, "tcv=6M")
    assert eng_show(engagement)["status"] == "amber"  # a high row not addressed
    ok("risk", first, "big", "--mitigation", "Phase it", "--contingency", "Descope")
    assert eng_show(engagement)["status"] == "green"
    ok("risk", first, "big", "--due", "2020-01-01", "--status", "mitigating")
    assert eng_show(engagement)["status"] == "red"  # past due, still mitigating
    ok("risk", first, "big", "--status", "mitigated")
    assert eng_show(engagement)["status"] == "green"


def test_an_override_with_no_failing_gate_is_history_not_red() -> None:
    engagement = new_engagement()
    first = member(engagement, "v1")
    sign(first, "--override", "sponsor insists")
    shown = eng_show(engagement)
    assert shown["status"] == "green"
    assert shown["reasons"] == [f"{first}: signed with an override: sponsor insists"]


def test_the_latest_dqi_by_date_rates_the_engagement() -> None:
    import datetime as dt

    today = dt.date.today()  # the next DQI is due 90 days after the latest: not overdue

    def ago(days: int) -> str:
        return (today - dt.timedelta(days=days)).isoformat()

    engagement = new_engagement("--start", ago(300))
    early = member(engagement, "d1", "--override", "test")
    late = member(engagement, "d1", "--override", "test")
    ok("set", late, f"inspection_date={ago(20)}", "note=risky")  # medium flag: amber
    ok("set", early, f"inspection_date={ago(100)}")
    assert eng_show(engagement)["status"] == "amber"
    ok("set", late, "note=fine")
    assert eng_show(engagement)["status"] == "green"
    ok("set", early, f"inspection_date={ago(10)}", "tcv=6M",
       "--mitigation", "big=Phase it")  # fmt: skip
    assert eng_show(engagement)["status"] == "red"  # now the latest, with a high flag


def test_a_loose_review_gets_its_rag_by_the_same_rules() -> None:
    review = ok("new", "v1", "--title", "Loose")
    assert show(review)["rag"]["status"] == "green"
    ok("set", review, "tcv=6M")
    assert show(review)["rag"]["status"] == "amber"


# ---- the combined plan -------------------------------------------------------------------


def test_the_combined_plan_verifies_per_member_and_round_trips(tmp_path: Path) -> None:
    engagement = new_engagement("--customer", "Acme")
    first = member(engagement, "v1")
    ok("set", first, "tcv=6M")
    sign(first, "--override", "ok")
    second = member(engagement, "s1")
    plan = tmp_path / "acme.md"
    ok("engagement", "plan", engagement, "-o", str(plan))
    again = ok("engagement", "plan", engagement)
    assert again + "\n" == plan.read_text() or again == plan.read_text().rstrip("\n")
    code, out, err = gb("verify", str(plan))
    assert code == 0, out + err
    assert f"{plan}#{first}: OK" in out and f"{plan}#{second}: OK" in out
    listed = json.loads(ok("verify", str(plan), "--format", "json"))
    assert [entry["plan"] for entry in listed] == [
        f"{plan}#{first}",
        f"{plan}#{second}",
        f"{plan}#{engagement}",
    ]
    assert listed[-1]["bound"] is True and listed[-1]["ok"] is True
    text = plan.read_text()
    assert "Engagement Risk Register" in text and f"`{second}/big`" in text
    imported = ok("import", str(plan))
    assert imported != engagement and imported.startswith("eng-")
    restored = eng_show(imported)
    assert len(restored["reviews"]) == 2 and restored["customer"] == "Acme"
    assert all(r["id"] not in (first, second) for r in restored["reviews"])
    assert restored["reviews"][0]["status"] == "signed"


@pytest.mark.parametrize("where", ["member", "summary"])
def test_an_edited_combined_plan_fails_and_imports_nothing(
    where: str, tmp_path: Path, isolated_home: Path
) -> None:
    engagement = new_engagement("--customer", "Acme")
    first = member(engagement, "v1")
    ok("set", first, "tcv=6M")
    plan = tmp_path / "acme.md"
    ok("engagement", "plan", engagement, "-o", str(plan))
    text = plan.read_text()
    if where == "member":
        text = text.replace("Acme v1", "Acme v2", 1)
    else:
        assert "- Stage: validation\n" in text
        text = text.replace("- Stage: validation\n", "- Stage: close\n", 1)
    plan.write_text(text)
    code, out, err = gb("verify", str(plan))
    assert code == 1 and "FAILED" in out
    before = sorted(p.name for p in (isolated_home / "reviews").iterdir())
    code, _, err = gb("import", str(plan))
    assert code == 1 and "nothing was written" in err
    assert sorted(p.name for p in (isolated_home / "reviews").iterdir()) == before
    assert len(list((isolated_home / "engagements").iterdir())) == 1


# ---- hostile engagement files ----------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"id": "eng-x"}',
        json.dumps(
            {
                "id": "eng-other",
                "title": "t",
                "start": "2026-01-01",
                "created": "2026-01-01T00:00:00Z",
                "updated": "2026-01-01T00:00:00Z",
            }
        ),
        json.dumps(
            {
                "id": "eng-x",
                "title": "t",
                "start": "2026-01-01",
                "members": ["../../x"],
                "created": "2026-01-01T00:00:00Z",
                "updated": "2026-01-01T00:00:00Z",
            }
        ),
    ],
    ids=["not-json", "list", "missing-keys", "other-id", "bad-member"],
)
def test_a_hostile_engagement_file_is_named_never_a_traceback(
    content: str, isolated_home: Path
) -> None:
    write(isolated_home / "engagements" / "eng-x.json", content)
    code, _, err = gb("engagement", "show", "eng-x")
    assert code == 1 and "eng-x" in err and "cannot be read" in err
    code, out, _ = gb("engagement", "list")
    assert code == 0 and "UNREADABLE" in out
    review = ok("new", "v1", "--title", "Still works")
    assert show(review)["title"] == "Still works"


def test_an_unknown_member_and_a_member_in_two_engagements_are_contained(
    isolated_home: Path,
) -> None:
    engagement = new_engagement()
    first = member(engagement, "v1")
    record = json.loads(_engagement_file(engagement).read_text())
    record["members"].append("v1-gone00")
    _engagement_file(engagement).write_text(json.dumps(record))
    other = new_engagement()
    record = json.loads(_engagement_file(other).read_text())
    record["members"].append(first)
    _engagement_file(other).write_text(json.dumps(record))
    code, out, err = gb("engagement", "show", engagement)
    assert code == 0 and "v1-gone00" in err and other in err
    assert "unreadable" in out
    assert json.loads(ok("engagement", "show", other, "--format", "json"))["reviews"]


def test_the_plan_of_built_in_members_charts_scores_against_targets(tmp_path: Path) -> None:
    engagement = new_engagement("--customer", "Acme")
    oqr = ok("new", "oqr", "--title", "Acme OQR", "--engagement", engagement)
    ok("set", oqr, "tcv_usd=6M", "te_cutting_edge=3", "production_access=yes")
    pesa = ok("new", "pesa", "--title", "Acme PESA", "--engagement", engagement)
    assert show(pesa)["answers"]["production_access"] is True
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    ok("engagement", "plan", engagement, "-o", str(first))
    ok("engagement", "plan", engagement, "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text()
    chart = text[text.index("```mermaid") :].split("```\n")[0]
    assert 'x-axis ["Acme OQR", "Acme PESA"]' in chart and "line [90, 90]" in chart
    code, out, err = gb("verify", str(first))
    assert code == 0, out + err
