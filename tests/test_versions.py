"""Versions (issue 33): earlier versions of the built-ins ship with gatebook, a review is
judged against the version it records (so a new release voids no sign-off), opening
it upgrades nothing, and `gatebook upgrade` or its first change does, saying first
which sign-offs that voids."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gatebook.examples import run_examples
from gatebook.milestone.store import MilestoneStore
from gatebook.plan.signoff import make_signoff
from gatebook.questionnaire.catalog import VERSIONS_FOLDER, Catalog, builtin_dir
from gatebook.store.canonical import questionnaire_digest
from gatebook.workspace import make_catalog, open_store

from .cli_support import gb, ok, show
from .conftest import write

SHIPPED = {
    "oqr": ["2.0.0"],
    "s2d": ["1.0.0"],
    "kickoff": ["1.0.0"],
    "dqi": ["1.0.0"],
    "close": ["1.0.0"],
    "okr-intake": ["1.0.0"],
    "okr-review": ["1.0.0"],
}


def record_version(home: Path, review_id: str, version: str) -> None:
    """The review as an earlier gatebook wrote it: the version it was started on."""
    path = home / "reviews" / f"{review_id}.json"
    data = json.loads(path.read_text())
    data["review"]["1"]["version"] = version
    path.write_text(json.dumps(data))


def sign_as_recorded(home: Path, review_id: str, *roles: str) -> None:
    """Sign the review as the gatebook of its version did: against the questionnaire it
    records (the CLI's signoff would upgrade it first)."""
    store = open_store(home, make_catalog(home))
    for role in roles:
        review = store.get(review_id)
        judged = store.questionnaire_for(review)
        assert judged.version == review.version
        signoff = make_signoff(
            review,
            judged,
            role=role,
            name=f"Signer {role}",
            decision="approved",
            comment="as it was",
            time="2026-12-01T10:00:00Z",
            override="signed for the test",
        )
        store.modify(review_id, lambda r, s=signoff: r.signoffs.append(s))  # type: ignore[misc]


def old_signed_oqr(home: Path, *roles: str) -> str:
    review = ok("new", "oqr", "--title", "Acme", "--subject", "Acme Corp")
    ok("set", review, "customer=Acme", "tcv_usd=6M")
    record_version(home, review, "2.0.0")
    sign_as_recorded(home, review, *roles)
    return review


def current_roles(data: dict[str, Any]) -> list[str]:
    return [s["role"] for s in data["signoffs"] if s["state"] == "current"]


def test_every_earlier_version_ships_and_loads_as_what_its_path_says() -> None:
    folder = builtin_dir() / VERSIONS_FOLDER
    found = {
        sub.name: sorted(p.stem for p in sub.glob("*.yaml")) for sub in sorted(folder.iterdir())
    }
    assert found == SHIPPED
    catalog = Catalog([])
    for questionnaire_id, versions in SHIPPED.items():
        live = catalog.resolve(questionnaire_id)
        for version in versions:
            old = catalog.resolve_version(questionnaire_id, version)
            assert (old.id, old.version) == (questionnaire_id, version)
            assert live.version != version
            assert questionnaire_digest(old) != questionnaire_digest(live)
            assert run_examples(old) == []  # judged as it was: its own examples hold


def test_the_live_versions_and_the_listing_ignore_the_versions_folder(
    isolated_home: Path,
) -> None:
    listed = json.loads(ok("questionnaires", "--format", "json"))
    versions = {row["id"]: row["version"] for row in listed}
    assert versions["oqr"] == "3.0.0" and versions["pesa"] == "1.0.0"
    for questionnaire_id in SHIPPED:
        if questionnaire_id != "oqr":
            assert versions[questionnaire_id] == "2.0.0"
    assert "versions" not in versions and len(listed) == len({r["id"] for r in listed})


def test_a_review_signed_on_the_old_version_stays_signed_and_opening_upgrades_nothing(
    isolated_home: Path,
) -> None:
    review = old_signed_oqr(isolated_home, "engagement_lead", "reviewer")
    before = (isolated_home / "reviews" / f"{review}.json").read_bytes()
    data = show(review)
    assert data["status"] == "signed", data["signoffs"]
    assert current_roles(data) == ["engagement_lead", "reviewer"]
    assert data["version"] == "2.0.0" and data["questionnaire_version"] == "3.0.0"
    code, out, _ = gb("show", review)
    assert code == 0
    assert "oqr 2.0.0 (3.0.0 available: gatebook upgrade or any change)" in out
    for command in (["export", review], ["next", review], ["risk", review], ["diff", review]):
        gb(*command)
    assert (isolated_home / "reviews" / f"{review}.json").read_bytes() == before
    assert (
        MilestoneStore(open_store(isolated_home, make_catalog(isolated_home))).names(review) == []
    )


def test_upgrade_says_which_sign_offs_it_voids_then_takes_the_milestone(
    isolated_home: Path,
) -> None:
    review = old_signed_oqr(isolated_home, "engagement_lead", "delivery_manager")
    code, out, err = gb("upgrade", review, "--format", "json")
    assert code == 0, err
    assert json.loads(out) == {
        "review": review,
        "from": "2.0.0",
        "to": "3.0.0",
        "milestone": "before-upgrade-1",
        "voided": ["engagement_lead", "delivery_manager"],
    }
    assert (
        f"{review}: upgrading to oqr 3.0.0 voids the sign-offs of engagement_lead, "
        "delivery_manager" in err
    )
    assert err.index("voids the sign-offs") < err.index("before-upgrade-1")
    data = show(review)
    assert data["version"] == "3.0.0" and data["status"] == "void"
    assert data["answers"]["customer"] == "Acme" and data["answers"]["tcv_usd"] == 6000000
    changed = json.loads(ok("diff", review, "before-upgrade-1", "--format", "json"))
    assert changed["signoffs"]["voided"] == [
        {"role": "delivery_manager", "name": "Signer delivery_manager", "decision": "approved"},
        {"role": "engagement_lead", "name": "Signer engagement_lead", "decision": "approved"},
    ]
    before = (isolated_home / "reviews" / f"{review}.json").read_bytes()
    code, out, err = gb("upgrade", review)
    assert code == 0 and "already on oqr 3.0.0" in out
    assert (isolated_home / "reviews" / f"{review}.json").read_bytes() == before


def test_upgrade_of_an_unsigned_review_voids_nothing_and_says_nothing_of_it(
    isolated_home: Path,
) -> None:
    review = ok("new", "s2d", "--title", "Handover")
    record_version(isolated_home, review, "1.0.0")
    assert show(review)["questionnaire_version"] == "2.0.0"
    code, out, err = gb("upgrade", review, "--format", "json")
    assert code == 0 and json.loads(out)["voided"] == []
    assert "voids" not in err and "before-upgrade-1" in err


def test_upgrade_of_an_unknown_review_names_the_closest(isolated_home: Path) -> None:
    review = ok("new", "oqr", "--title", "Acme")
    code, _, err = gb("upgrade", review + "x")
    assert code == 1 and f"Did you mean {review!r}" in err
    code, out, _ = gb("upgrade", "--help")
    assert code == 0 and "Example: gatebook upgrade" in out


@pytest.mark.parametrize(
    "change",
    [
        ["set", "{r}", "opportunity=Data platform"],
        ["risk", "{r}", "large_deal_size", "--owner", "Ana Lima"],
        ["meeting", "{r}", "--date", "2026-12-02", "--attendee", "Ana Lima, Acme, CTO"],
        ["escalate", "{r}", "--to", "Maria Ortiz, VP", "--decision", "proceed"],
        ["signoff", "{r}", "--role", "reviewer", "--name", "Ana", "--decision", "rejected"],
    ],
)
def test_the_first_change_upgrades_and_says_what_it_voids_first(
    isolated_home: Path, change: list[str]
) -> None:
    review = old_signed_oqr(isolated_home, "engagement_lead")
    code, _, err = gb(*[part.format(r=review) for part in change])
    assert code == 0, err
    assert f"{review}: upgrading to oqr 3.0.0 voids the sign-offs of engagement_lead" in err
    assert "before-upgrade-1" in err
    data = show(review)
    assert data["version"] == "3.0.0"
    assert "engagement_lead" not in current_roles(data)


def test_a_workspace_file_replacing_a_built_in_behaves_as_before(isolated_home: Path) -> None:
    """A tailored oqr is the only oqr of that workspace: a review recording another
    version is judged against it and upgraded to it, whatever gatebook ships."""
    text = (builtin_dir() / "oqr.yaml").read_text().replace("version: 3.0.0", "version: 9.0.0")
    write(isolated_home / "questionnaires" / "oqr.yaml", text)
    review = ok("new", "oqr", "--title", "Tailored")
    record_version(isolated_home, review, "2.0.0")
    data = show(review)
    assert data["questionnaire_version"] == "9.0.0"
    store = open_store(isolated_home, make_catalog(isolated_home))
    assert store.questionnaire_for(store.get(review)).version == "9.0.0"
    assert json.loads(ok("upgrade", review, "--format", "json"))["to"] == "9.0.0"


def test_a_version_gatebook_never_shipped_is_judged_against_the_live_one(
    isolated_home: Path,
) -> None:
    review = ok("new", "oqr", "--title", "Odd")
    record_version(isolated_home, review, "0.9.0")
    store = open_store(isolated_home, make_catalog(isolated_home))
    assert store.questionnaire_for(store.get(review)).version == "3.0.0"
    assert show(review)["version"] == "0.9.0"
    record_version(isolated_home, review, "../../oqr")  # never a path
    assert store.questionnaire_for(store.get(review)).version == "3.0.0"


def test_a_plan_written_on_the_old_version_verifies(isolated_home: Path, tmp_path: Path) -> None:
    """A format-1 plan does not carry its questionnaire: it is checked against the
    version it records, which gatebook ships (before, "this machine has 3.0.0, so its
    text cannot be checked")."""
    from gatebook.plan.render import render_plan

    review_id = old_signed_oqr(isolated_home, "engagement_lead", "reviewer")
    store = open_store(isolated_home, make_catalog(isolated_home))
    review = store.get(review_id)
    for plan_format in (1, None):
        plan = tmp_path / f"plan-{plan_format}.md"
        if plan_format is None:
            ok("export", review_id, "-o", str(plan))
        else:
            text = render_plan(review, store.questionnaire_for(review), plan_format=plan_format)
            plan.write_text(text)
        code, out, err = gb("verify", str(plan), "--format", "json")
        assert code == 0, out + err
        report = json.loads(out)
        assert report["ok"] and report["body_ok"] and report["digest_ok"]
        assert [s["state"] for s in report["signoffs"]] == ["unsigned", "unsigned"]


async def _until(pilot: Any, condition: Any, tries: int = 600) -> None:
    import asyncio

    for _ in range(tries):
        await pilot.pause()
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("never happened")


@pytest.mark.parametrize("choice", ["n", "y"])
async def test_the_app_asks_before_the_first_change_upgrades_a_signed_review(
    isolated_home: Path, choice: str
) -> None:
    """Opening upgrades nothing and the header says an upgrade is available; the first
    change of a signed review asks (keys: y upgrades and makes it, n keeps the review
    as it is), at 80x24."""
    from textual.widgets import Input

    from gatebook.tui.screens.modals import UpgradeConfirm
    from gatebook.tui.screens.review import ReviewScreen

    from .tui_support import deterministic_app

    review_id = old_signed_oqr(isolated_home, "engagement_lead")
    path = isolated_home / "reviews" / f"{review_id}.json"
    app = deterministic_app(isolated_home, offer_demo=False, open_review_id=review_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.sub_title == "oqr 2.0.0 (3.0.0 available)"
        notes = [n.message for n in app._notifications]
        assert any(
            "oqr 2.0.0 (3.0.0 available: gatebook upgrade or any change)" in n for n in notes
        )
        assert json.loads(path.read_text())["review"]["1"]["version"] == "2.0.0"
        field = screen.query_one("#editor-opportunity", Input)
        field.focus()
        await pilot.press("Z")
        await _until(pilot, lambda: isinstance(app.screen, UpgradeConfirm))
        dialog_text = " ".join(str(label.render()) for label in app.screen.query("Label"))
        assert "upgrading to oqr 3.0.0 voids the sign-offs of engagement_lead" in dialog_text
        await pilot.press(choice)
        await _until(
            pilot,
            lambda: isinstance(app.screen, ReviewScreen) and app.screen is not screen,
        )
        stored = json.loads(path.read_text())["review"]["1"]
        reopened = app.screen
        assert isinstance(reopened, ReviewScreen)
        if choice == "y":
            assert stored["version"] == "3.0.0" and stored["answers"]["opportunity"] == "Z"
            assert reopened.session.upgrade is None
            assert reopened.sub_title == reopened.questionnaire.title
            assert reopened.questionnaire.version == "3.0.0"
        else:
            assert stored["version"] == "2.0.0" and "opportunity" not in stored["answers"]
            assert reopened.session.upgrade is not None
    data = show(review_id)
    if choice == "y":
        assert data["status"] == "void"
        names = [m["name"] for m in json.loads(ok("milestones", review_id, "--format", "json"))]
        assert names == ["before-upgrade-1"]
    else:
        assert data["status"] == "partially-signed" and data["version"] == "2.0.0"


async def test_the_app_upgrades_an_unsigned_review_on_its_first_change_without_asking(
    isolated_home: Path,
) -> None:
    from textual.widgets import Input

    from gatebook.tui.screens.review import ReviewScreen

    from .tui_support import deterministic_app

    review_id = ok("new", "oqr", "--title", "Unsigned")
    record_version(isolated_home, review_id, "2.0.0")
    path = isolated_home / "reviews" / f"{review_id}.json"
    app = deterministic_app(isolated_home, offer_demo=False, open_review_id=review_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        screen.query_one("#editor-customer", Input).focus()
        await pilot.press("A", "b")
        await _until(
            pilot,
            lambda: isinstance(app.screen, ReviewScreen) and app.screen is not screen,
        )
        await pilot.press("c")
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.flush()
    stored = json.loads(path.read_text())["review"]["1"]
    assert stored["version"] == "3.0.0"
    assert stored["answers"]["customer"] == "Abc"  # no key typed during the upgrade is lost


def test_the_wheel_ships_the_versions_folder() -> None:
    """hatchling's force-include copies a folder whole, subfolders included; the
    packaged `questionnaires/` is where `builtin_dir()` looks first."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text())
    forced = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert forced["questionnaires"] == "gatebook/questionnaires"
    assert (root / "questionnaires" / VERSIONS_FOLDER / "oqr" / "2.0.0.yaml").is_file()


def test_the_merge_driver_checks_answers_by_the_version_the_review_records(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gatebook.cli import merge_file

    ok("init")  # $GATEBOOK_HOME: the marker the driver finds from the work tree
    review = ok("new", "oqr", "--title", "Merged")
    record_version(isolated_home, review, "2.0.0")
    store = open_store(isolated_home, make_catalog(isolated_home))
    monkeypatch.chdir(isolated_home)
    merge_file._questionnaire_named.cache_clear()
    assert merge_file._questionnaire(store.get(review)).version == "2.0.0"
    record_version(isolated_home, review, "3.0.0")
    assert merge_file._questionnaire(store.get(review)).version == "3.0.0"
    merge_file._questionnaire_named.cache_clear()
