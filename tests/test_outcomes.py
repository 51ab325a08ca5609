"""The outcomes register, carried like risks (issue 33, outcomes-data): `gatebook
outcome` adds and edits rows with random ids, checked as `risk` checks its input;
`show` lists them; history and undo cover them; the merge driver takes them per row
and field and `resolve` settles what it records; milestones freeze them and `diff`
lists them; a new member of an engagement, and an unsigned review joining one,
starts with the latest row of each outcome of its earlier members."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from . import cli_support as cli

if TYPE_CHECKING:
    from gatebook.store.reviews import ReviewStore

OUTCOME_KEYS = [
    "id", "title", "cbo", "metric", "baseline", "target", "by", "status", "evidence",
    "origin", "first_origin",
]  # fmt: skip
OUTCOME_ID = re.compile(r"outcome_[a-z0-9]{6}")


def gb(home: Path, *args: str) -> tuple[int, str, str]:
    return cli.gb("--home", str(home), *args)


def ok(home: Path, *args: str) -> str:
    return cli.ok("--home", str(home), *args)


def show(home: Path, review_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(home, "show", review_id, "--format", "json"))
    return data


def outcomes(home: Path, review_id: str) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in show(home, review_id)["outcomes"]}


def store_of(home: Path) -> ReviewStore:
    from gatebook.questionnaire.catalog import Catalog
    from gatebook.workspace import open_store

    return open_store(home, Catalog())


def file_of(home: Path, review_id: str) -> Path:
    return home / "reviews" / f"{review_id}.json"


@pytest.fixture
def oqr(tmp_path: Path) -> tuple[Path, str]:
    home = tmp_path / "ws"
    return home, ok(home, "new", "oqr", "--title", "Acme claims")


def add(home: Path, review_id: str, title: str, *options: str) -> str:
    code, out, err = gb(home, "outcome", review_id, "--add", title, *options)
    assert code == 0, err
    assert OUTCOME_ID.fullmatch(out.strip()), out  # only the id on stdout
    return out.strip()


# ---- the command -------------------------------------------------------------------


def test_show_always_has_outcomes_and_a_review_without_any_keeps_its_file(
    oqr: tuple[Path, str],
) -> None:
    home, review_id = oqr
    before = file_of(home, review_id).read_bytes()
    assert show(home, review_id)["outcomes"] == []
    assert "outcomes" not in json.loads(before)["review"]["1"]  # not written while empty
    digest = show(home, review_id)["digest"]
    added = add(home, review_id, "Cut claim time")
    assert show(home, review_id)["digest"] != digest  # in the digest once there
    ok(home, "undo", review_id)
    assert show(home, review_id)["digest"] == digest
    assert "outcomes" not in json.loads(file_of(home, review_id).read_text())["review"]["1"]
    assert added not in outcomes(home, review_id)


def test_add_and_edit_write_every_field_and_show_lists_them(oqr: tuple[Path, str]) -> None:
    home, review_id = oqr
    added = add(
        home, review_id, "Cut claim time", "--cbo", "efficiency", "--metric", "median days",
        "--baseline", "12", "--target", "6", "--by", "2027-06-30",
    )  # fmt: skip
    rows = show(home, review_id)["outcomes"]
    assert [list(row) for row in rows] == [OUTCOME_KEYS]
    assert rows[0] == {
        "id": added, "title": "Cut claim time", "cbo": "efficiency", "metric": "median days",
        "baseline": "12", "target": "6", "by": "2027-06-30", "status": "planned",
        "evidence": None, "origin": None, "first_origin": None,
    }  # fmt: skip
    ok(
        home, "outcome", review_id, added, "--title", "Halve claim time", "--status",
        "at_risk", "--evidence", "Pilot: 9 days", "--by", "", "--cbo", "",
    )  # fmt: skip
    row = outcomes(home, review_id)[added]
    assert (row["title"], row["status"], row["evidence"], row["by"], row["cbo"]) == (
        "Halve claim time", "at_risk", "Pilot: 9 days", None, None,
    )  # fmt: skip
    text = ok(home, "show", review_id)
    assert "Outcomes:" in text and f"{added}" in text and "Halve claim time" in text
    listed = json.loads(ok(home, "outcome", review_id, "--format", "json"))
    assert listed == show(home, review_id)["outcomes"]


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--cbo", "profit", "--cbo must be one of reduced_risk, esg, revenue, efficiency"),
        ("--status", "done", "--status must be one of planned, on_track"),
        ("--status", "on-track", "Did you mean 'on_track'?"),
        ("--by", "2027-02-30", "--by"),
        ("--by", "soon", "--by"),
        ("--evidence", "bad\x07bell", "--evidence"),
        ("--title", "  ", "needs the outcome's title"),
    ],
)
def test_a_bad_value_is_refused_and_nothing_is_written(
    oqr: tuple[Path, str], option: str, value: str, said: str
) -> None:
    home, review_id = oqr
    added = add(home, review_id, "Cut claim time")
    before = file_of(home, review_id).read_bytes()
    code, _, err = gb(home, "outcome", review_id, added, "--metric", "days", option, value)
    assert code == 2 and said in err, err
    assert file_of(home, review_id).read_bytes() == before
    code, _, err = gb(home, "outcome", review_id, "--add", "Another", option, value)
    if option != "--title":  # --title goes with an id, not --add
        assert code == 2 and said in err, err
    assert file_of(home, review_id).read_bytes() == before


def test_an_unknown_id_is_refused_with_the_closest(oqr: tuple[Path, str]) -> None:
    home, review_id = oqr
    code, _, err = gb(home, "outcome", review_id, "outcome_abcdef", "--status", "on_track")
    assert code == 2 and "has none yet" in err
    added = add(home, review_id, "Cut claim time")
    typo = added[:-1] + ("x" if added[-1] != "x" else "y")
    for args in ((typo, "--status", "on_track"), (typo,)):
        code, _, err = gb(home, "outcome", review_id, *args)
        assert code == 2 and "no such outcome" in err and f"Did you mean {added!r}" in err


def test_ids_never_take_a_key_the_review_holds(
    oqr: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The random source gives `aaaaaa` first: taken, so the next draw is used."""
    import secrets

    from gatebook.store.model import OutcomeRow
    from gatebook.store.outcomes import new_outcome

    home, review_id = oqr
    review = store_of(home).get(review_id)
    review.outcomes["outcome_aaaaaa"] = OutcomeRow(title="Held")
    letters = iter("aaaaaa" + "bbbbbb")
    monkeypatch.setattr(secrets, "choice", lambda _alphabet: next(letters))
    row_id, _ = new_outcome(review, "New")
    assert row_id == "outcome_bbbbbb"


def test_history_and_undo_revert_each_outcome_change(oqr: tuple[Path, str]) -> None:
    home, review_id = oqr
    added = add(home, review_id, "Cut claim time")
    ok(home, "outcome", review_id, added, "--status", "on_track")
    kinds = [line.split()[2] for line in ok(home, "history", review_id).splitlines()]
    assert kinds[-2:] == ["outcome", "outcome"]
    assert ok(home, "undo", review_id).startswith(f"undid outcome {added}")
    assert outcomes(home, review_id)[added]["status"] == "planned"
    ok(home, "undo", review_id)
    assert outcomes(home, review_id) == {}


def test_the_apps_undo_reverts_an_outcome_change(oqr: tuple[Path, str]) -> None:
    """The app's ctrl+z (Session.undo) takes the same path through the store."""
    from gatebook.tui.session import ReviewSession

    home, review_id = oqr
    added = add(home, review_id, "Cut claim time")
    ok(home, "outcome", review_id, added, "--target", "6 days")
    store = store_of(home)
    review = store.get(review_id)
    session = ReviewSession(store, review, store.questionnaire_for(review))
    entry = session.undo()
    assert entry is not None and entry.kind == "outcome"
    assert session.review.outcomes[added].target == ""
    assert outcomes(home, review_id)[added]["target"] is None


# ---- merging and resolving -------------------------------------------------------------


def merged(home: Path, review_id: str, ours: Any, theirs: Any) -> tuple[int, str]:
    """Both laptops change the review from the same base; the driver merges in place."""
    path = file_of(home, review_id)
    base = home / "base.json"
    shutil.copy(path, base)
    theirs(home)
    their_file = home / "theirs.json"
    shutil.copy(path, their_file)
    shutil.copy(base, path)
    ours(home)
    code, _, err = gb(home, "merge-file", str(base), str(path), str(their_file))
    return code, err


def test_two_laptops_adding_outcomes_keep_both(oqr: tuple[Path, str]) -> None:
    home, review_id = oqr
    found: dict[str, str] = {}

    def mine(h: Path) -> None:
        found["ours"] = add(h, review_id, "Cut claim time")

    def yours(h: Path) -> None:
        found["theirs"] = add(h, review_id, "Grow revenue", "--cbo", "revenue")

    code, err = merged(home, review_id, mine, yours)
    assert code == 0, err
    rows = outcomes(home, review_id)
    assert set(rows) == {found["ours"], found["theirs"]}
    assert rows[found["theirs"]]["cbo"] == "revenue"


def test_one_field_changed_on_both_sides_is_a_conflict_resolve_settles(
    oqr: tuple[Path, str],
) -> None:
    home, review_id = oqr
    added = add(home, review_id, "Cut claim time")
    code, err = merged(
        home, review_id,
        lambda h: ok(h, "outcome", review_id, added, "--status", "on_track", "--metric", "days"),
        lambda h: ok(h, "outcome", review_id, added, "--status", "at_risk", "--target", "6"),
    )  # fmt: skip
    assert code == 1 and f"conflict outcomes.{added}.status" in err
    data = show(home, review_id)
    assert [c["field"] for c in data["conflicts"]] == [f"outcomes.{added}.status"]
    row = outcomes(home, review_id)[added]
    assert (row["status"], row["metric"], row["target"]) == ("on_track", "days", "6")
    code, _, err = gb(home, "resolve", review_id, f"outcomes.{added}.status", "--value", "done")
    assert code == 2 and "nothing written" in err
    ok(home, "resolve", review_id, f"outcomes.{added}.status", "--take", "theirs")
    assert outcomes(home, review_id)[added]["status"] == "at_risk"
    assert show(home, review_id)["conflicts"] == []


def test_a_row_removed_on_one_side_and_changed_on_the_other(oqr: tuple[Path, str]) -> None:
    home, review_id = oqr
    added = add(home, review_id, "Cut claim time")
    ok(home, "outcome", review_id, added, "--metric", "days")  # the base has it written

    def removed(h: Path) -> None:
        ok(h, "undo", review_id)
        ok(h, "undo", review_id)

    code, err = merged(
        home, review_id, removed, lambda h: ok(h, "outcome", review_id, added, "--target", "6")
    )
    assert code == 1 and f"conflict outcomes.{added} " in err
    assert added not in outcomes(home, review_id)  # ours kept: removed
    ok(home, "resolve", review_id, f"outcomes.{added}", "--take", "theirs")
    assert outcomes(home, review_id)[added]["target"] == "6"


def test_a_typed_edit_settles_the_fields_it_writes(oqr: tuple[Path, str]) -> None:
    home, review_id = oqr
    added = add(home, review_id, "Cut claim time")
    merged(
        home, review_id,
        lambda h: ok(h, "outcome", review_id, added, "--status", "on_track", "--by", "2027-01-31"),
        lambda h: ok(h, "outcome", review_id, added, "--status", "off_track", "--by", "2027-03-31"),
    )  # fmt: skip
    fields = {c["field"] for c in show(home, review_id)["conflicts"]}
    assert fields == {f"outcomes.{added}.status", f"outcomes.{added}.by"}
    ok(home, "outcome", review_id, added, "--status", "achieved")
    assert [c["field"] for c in show(home, review_id)["conflicts"]] == [f"outcomes.{added}.by"]


def test_resolve_reads_an_outcome_value_as_the_command_does(oqr: tuple[Path, str]) -> None:
    home, review_id = oqr
    added = add(home, review_id, "Cut claim time")
    path = file_of(home, review_id)
    data = json.loads(path.read_text())
    row = data["review"]["1"]["outcomes"][added]
    data["review"]["1"]["conflicts"] = [
        {"field": f"outcomes.{added}.by", "base": None, "ours": "2027-01-31",
         "theirs": "2027-02-30"},
        {"field": f"outcomes.{added}", "base": None, "ours": row,
         "theirs": {**row, "status": "finished"}},
    ]  # fmt: skip
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    for field in (f"outcomes.{added}.by", f"outcomes.{added}"):
        code, _, err = gb(home, "resolve", review_id, field, "--take", "theirs")
        assert code == 2 and "nothing written" in err, err
        assert path.read_bytes() == before
    code, _, err = gb(home, "resolve", review_id, f"outcomes.{added}.by", "--value", "2027-04-30")
    assert code == 0, err
    assert outcomes(home, review_id)[added]["by"] == "2027-04-30"
    value = json.dumps({"title": "Cut claim time", "status": "achieved"})
    ok(home, "resolve", review_id, f"outcomes.{added}", "--value", value)
    assert outcomes(home, review_id)[added]["status"] == "achieved"


# ---- milestones and diff ---------------------------------------------------------------


def test_milestones_freeze_outcomes_and_diff_lists_each_field(oqr: tuple[Path, str]) -> None:
    home, review_id = oqr
    kept = add(home, review_id, "Cut claim time", "--metric", "days")
    ok(home, "milestone", review_id, "m1")
    ok(home, "outcome", review_id, kept, "--status", "on_track")
    added = add(home, review_id, "Grow revenue", "--cbo", "revenue")
    diff = json.loads(ok(home, "diff", review_id, "m1", "--format", "json"))
    assert list(diff)[-2:] == ["outcomes", "signoffs"]
    expected_added = [
        {"row": added, "field": "title", "from": None, "to": "Grow revenue"},
        {"row": added, "field": "cbo", "from": None, "to": "revenue"},
        {"row": added, "field": "status", "from": None, "to": "planned"},
    ]
    expected_kept = [{"row": kept, "field": "status", "from": "planned", "to": "on_track"}]
    by_id = expected_added + expected_kept if added < kept else expected_kept + expected_added
    assert diff["outcomes"] == by_id  # rows by id, a new row's fields from null
    text = ok(home, "diff", review_id, "m1")
    assert "Outcomes:" in text and f"{kept} status: planned -> on_track" in text
    assert f"{added} cbo: (none) -> revenue" in text


# ---- carried through an engagement -----------------------------------------------------


def test_a_new_member_starts_with_each_outcomes_latest_row(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    eng = ok(home, "engagement", "new", "Acme delivery")
    oqr = ok(home, "new", "oqr", "--title", "OQR", "--engagement", eng)
    first = add(home, oqr, "Cut claim time", "--metric", "days", "--target", "6")
    s2d = ok(home, "new", "s2d", "--title", "S2D", "--engagement", eng)
    rows = outcomes(home, s2d)
    assert rows[first]["origin"] == f"{oqr}/{first}"
    assert rows[first]["first_origin"] == f"{oqr}/{first}"
    assert (rows[first]["metric"], rows[first]["target"]) == ("days", "6")
    ok(home, "outcome", s2d, first, "--status", "on_track")
    second = add(home, s2d, "Grow revenue")
    kickoff = ok(home, "new", "kickoff", "--title", "Kickoff", "--engagement", eng)
    rows = outcomes(home, kickoff)
    assert set(rows) == {first, second}  # each once, as its latest row
    assert rows[first]["origin"] == f"{s2d}/{first}" and rows[first]["status"] == "on_track"
    assert rows[first]["first_origin"] == f"{oqr}/{first}"
    assert rows[second]["origin"] == f"{s2d}/{second}"
    dqi = ok(home, "new", "dqi", "--title", "DQI 1", "--engagement", eng)
    ok(home, "outcome", dqi, first, "--status", "at_risk")
    dqi2 = ok(home, "new", "dqi", "--title", "DQI 2", "--engagement", eng)
    rows = outcomes(home, dqi2)  # an earlier DQI counts: its row is the latest
    assert rows[first]["origin"] == f"{dqi}/{first}" and rows[first]["status"] == "at_risk"
    view = json.loads(ok(home, "engagement", "show", eng, "--format", "json"))
    shown = {row["id"]: row for row in view["outcomes"]}
    assert set(shown) == {first, second}
    assert shown[first]["review"] == dqi2 and shown[first]["first_origin"] == f"{oqr}/{first}"
    assert list(shown[first]) == [*OUTCOME_KEYS, "review"]


def test_engagement_add_carries_outcomes_into_an_unsigned_review_only(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    eng = ok(home, "engagement", "new", "Acme delivery")
    oqr = ok(home, "new", "oqr", "--title", "OQR", "--engagement", eng)
    first = add(home, oqr, "Cut claim time")
    loose = ok(home, "new", "s2d", "--title", "S2D from home")
    own = add(home, loose, "Its own outcome")
    ok(home, "engagement", "add", eng, loose)
    rows = outcomes(home, loose)
    assert set(rows) == {first, own} and rows[first]["origin"] == f"{oqr}/{first}"
    assert ok(home, "undo", loose).startswith("undid carry")  # one entry for what joined
    assert set(outcomes(home, loose)) == {own}
    signed = ok(home, "new", "s2d", "--title", "S2D signed")
    code, _, err = gb(
        home, "signoff", signed, "--role", "sales_lead", "--name", "Ana", "--decision",
        "rejected", "--no-sign",
    )  # fmt: skip
    assert code == 0, err
    before = file_of(home, signed).read_bytes()
    ok(home, "engagement", "add", eng, signed)
    assert file_of(home, signed).read_bytes() == before  # a signed review joins untouched


def test_a_review_whose_questionnaire_is_gone_still_joins(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    eng = ok(home, "engagement", "new", "Acme delivery")
    oqr = ok(home, "new", "oqr", "--title", "OQR", "--engagement", eng)
    add(home, oqr, "Cut claim time")
    folder = home / "questionnaires"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mine.yaml").write_text(
        'id: mine\ntitle: Mine\nversion: "1"\nsections:\n  - id: s\n    title: S\n'
        "    questions:\n      - {id: q, type: text, prompt: Q}\n"
    )
    mine = ok(home, "new", "mine", "--title", "Mine")
    before = file_of(home, mine).read_bytes()
    (folder / "mine.yaml").unlink()
    code, _, err = gb(home, "engagement", "add", eng, mine)
    assert code == 0, err
    assert file_of(home, mine).read_bytes() == before


def test_a_plan_carries_the_outcomes_back_on_import_with_its_sign_off(
    oqr: tuple[Path, str], tmp_path: Path
) -> None:
    home, review_id = oqr
    added = add(home, review_id, "Cut claim time", "--metric", "days", "--by", "2027-06-30")
    code, _, err = gb(
        home, "signoff", review_id, "--role", "reviewer", "--name", "Ana", "--decision",
        "rejected", "--no-sign",
    )  # fmt: skip
    assert code == 0, err
    plan = tmp_path / "plan.md"
    ok(home, "export", review_id, "-o", str(plan))
    other = tmp_path / "other"
    ok(other, "init")
    ok(other, "import", str(plan))
    imported = json.loads(ok(other, "list", "--format", "json"))[0]["id"]
    data = show(other, imported)
    assert data["digest"] == show(home, review_id)["digest"]
    assert [row["id"] for row in data["outcomes"]] == [added]
    assert [s["state"] for s in data["signoffs"]] == ["current"]
