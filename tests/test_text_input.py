"""New text that cannot be stored is refused where it enters; stored text is never rewritten.

A C0 control character other than tab, line feed and carriage return, or a lone
surrogate, is refused by `set`, `new`, answers files, `risk`, `meeting`, `escalate`
and the app's fields (exit 2 or a message where it was typed, the question named,
nothing written); a CR or CRLF is stored as a line feed. `import` and `merge-file`
carry a value already stored exactly as it is (docs/contracts.md "Values").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from gatebook.engine.text import typed_text
from gatebook.engine.values import ValueProblem, read_typed, stored_value
from gatebook.questionnaire.catalog import Catalog
from gatebook.tui.screens.modals import TextPrompt
from gatebook.tui.screens.review import ReviewScreen
from gatebook.tui.widgets.panel_text import PanelText

from .cli_support import run_gatebook
from .conftest import write
from .tui_support import deterministic_app

REFUSED = [chr(code) for code in range(0x20) if chr(code) not in "\t\n\r"] + [
    "\ud800",
    "\udfff",
]


def gb(home: Path, *args: str) -> tuple[int, str, str]:
    done = run_gatebook("--home", str(home), *args)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


def new_review(home: Path, questionnaire: str = "oqr") -> str:
    code, out, err = gb(home, "new", questionnaire, "--title", "Acme")
    assert code == 0, err
    return out.strip()


def files(home: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.name != "index.json" and "locks" not in p.parts
    }


def stored(home: Path, review_id: str) -> dict[str, object]:
    data = json.loads((home / "reviews" / f"{review_id}.json").read_text(encoding="utf-8"))
    review: dict[str, object] = data["review"]["1"]
    return review


# ---- the one checking function --------------------------------------------------------------


@pytest.mark.parametrize("char", REFUSED, ids=[f"U+{ord(c):04X}" for c in REFUSED])
def test_typed_text_refuses_controls_and_surrogates(char: str) -> None:
    with pytest.raises(ValueProblem, match=f"U\\+{ord(char):04X} at character 3"):
        typed_text(f"ab{char}cd")


def test_typed_text_keeps_tab_and_stores_line_breaks_as_line_feeds() -> None:
    assert typed_text("a\tb\r\nc\rd\ne \x7f \x9b \u202e") == "a\tb\nc\nd\ne \x7f \x9b \u202e"


def test_table_cells_are_checked_as_new_text() -> None:
    question = Catalog().resolve("close").question("deliverables")
    assert question is not None
    rows = '[{"deliverable": "SOW\\r\\nv2"}]'
    assert read_typed(question, rows) == [{"deliverable": "SOW\nv2"}]
    with pytest.raises(ValueProblem, match="U\\+D800"):
        read_typed(question, '[{"deliverable": "a\\ud800"}]')


def test_a_stored_value_is_read_as_it_is() -> None:
    question = Catalog().resolve("oqr").question("customer")
    assert question is not None
    assert stored_value(question, "Ac\x1bme\r\n") == "Ac\x1bme\r\n"


# ---- the CLI -----------------------------------------------------------------------------------


def _entries(review_id: str, bad: str) -> list[tuple[tuple[str, ...], str]]:
    """Every text the CLI takes for a review, each with `bad` in it, and what the
    message must name."""
    return [
        (("set", review_id, f"customer=Ac{bad}me"), "Customer name [customer]"),
        (("set", review_id, "--note", f"customer=a{bad}"), "Customer name [customer]: note"),
        (("set", review_id, "--na", f"customer=a{bad}"), "[customer]: not applicable"),
        (("set", review_id, "--mitigation", f"large_deal_size=a{bad}"), "large_deal_size"),
        (("set", review_id, "--na-section", f"opportunity=a{bad}"), "--na-section"),
        (("risk", review_id, "--add", f"R{bad}"), "--add"),
        (("risk", review_id, "--add", "R", "--contingency", f"c{bad}"), "--contingency"),
        (("risk", review_id, "--add", "R", "--owner", f"o{bad}"), "--owner"),
        (("risk", review_id, "--add", "R", "--mitigation", f"m{bad}"), "--mitigation"),
        (("meeting", review_id, "--attendee", f"Ana{bad}, Acme"), "--attendee"),
        (("meeting", review_id, "--note", f"n{bad}"), "--note"),
        (("escalate", review_id, "--to", f"VP{bad}", "--decision", "proceed"), "--to"),
        (("escalate", review_id, "--to", "VP", "--decision", "proceed", "--note", f"n{bad}"),
         "--note"),
        (("new", "oqr", "--title", f"T{bad}"), "--title"),
        (("new", "oqr", "--title", "T", "--subject", f"S{bad}"), "--subject"),
        (("engagement", "new", f"E{bad}"), "TITLE"),
        (("milestone", review_id, "day-1", "--note", f"n{bad}"), "--note"),
        (("signoff", review_id, "--role", "reviewer", "--name", f"Ana{bad}", "--decision",
          "rejected", "--no-sign"), "--name"),
        (("signoff", review_id, "--role", "reviewer", "--name", "Ana", "--decision",
          "rejected", "--comment", f"c{bad}", "--no-sign"), "--comment"),
        (("engagement", "new", "E", "--customer", f"C{bad}"), "--customer"),
    ]  # fmt: skip


@pytest.mark.parametrize("bad", ["\x1b", "\x00", "\x7f\x08"], ids=["ESC", "NUL", "BS"])
def test_every_cli_text_refuses_a_control_character(tmp_path: Path, bad: str) -> None:
    home = tmp_path / "ws"
    review_id = new_review(home)
    before = files(home)
    code_point = f"U+{ord(bad[-1]):04X}"
    for args, named in _entries(review_id, bad):
        if bad == "\x00":  # an argument cannot hold NUL (C strings): answers files can
            continue
        code, out, err = gb(home, *args)
        assert code == 2, (args, err)
        assert named in err and code_point in err and "control character" in err, (args, err)
        assert out == ""
        assert files(home) == before, args


def test_set_stores_cr_and_crlf_as_line_feeds(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    review_id = new_review(home)
    code, _, err = gb(home, "set", review_id, "customer=Ac\r\nme", "--note", "customer=x\ry")
    assert code == 0, err
    review = stored(home, review_id)
    assert review["answers"] == {"customer": "Ac\nme"}
    assert review["notes"] == {"customer": "x\ny"}


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('customer: "Ac\\x1bme"\n', "answers.yaml:1:11: Customer name [customer]: the text"),
        ('customer: {not_applicable: "a\\x07"}\n', "[customer]: not applicable: the text"),
        ('customer: "Ac\\u0000"\n', "U+0000"),
    ],
)
def test_an_answers_file_is_refused_at_the_value(tmp_path: Path, text: str, named: str) -> None:
    home = tmp_path / "ws"
    answers = write(tmp_path / "answers.yaml", text)
    for args in (("new", "oqr", "--title", "T", "--answers", str(answers)),
                 ("eval", "oqr", "--answers", str(answers))):  # fmt: skip
        code, out, err = gb(home, *args)
        assert code == 2 and named in err and out == "", err
    assert not (home / "reviews").exists() or not list((home / "reviews").iterdir())


def test_a_lone_surrogate_in_a_json_table_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    review_id = new_review(home, "close")
    before = files(home)
    table = '[{"deliverable": "SOW \\ud800"}]'
    code, _, err = gb(home, "set", review_id, f"deliverables={table}")
    assert code == 2 and "Deliverables [deliverables]" in err and "U+D800" in err, err
    assert files(home) == before


# ---- values already stored are carried as they are ------------------------------------------


def _hand_edited(home: Path) -> tuple[str, str]:
    """A review whose file holds a control character and a CRLF (a hand edit, or a
    file from before this check), and its digest."""
    review_id = new_review(home)
    path = home / "reviews" / f"{review_id}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["review"]["1"]["answers"]["customer"] = "Ac\x1bme\r\nLtd"
    data["review"]["1"]["notes"]["customer"] = "n\x07"
    path.write_text(json.dumps(data), encoding="utf-8")
    shown = json.loads(gb(home, "show", review_id, "--format", "json")[1])
    return review_id, shown["digest"]


def test_import_keeps_a_stored_value_exactly(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    review_id, digest = _hand_edited(home)
    plan = tmp_path / "plan.md"
    assert gb(home, "export", review_id, "-o", str(plan))[0] == 0
    elsewhere = tmp_path / "other"
    code, _, err = gb(elsewhere, "import", str(plan))
    assert code == 0, err
    imported = stored(elsewhere, review_id)
    assert imported["answers"] == {"customer": "Ac\x1bme\r\nLtd"}
    assert imported["notes"] == {"customer": "n\x07"}
    again = json.loads(gb(elsewhere, "show", review_id, "--format", "json")[1])
    assert again["digest"] == digest


def test_merge_file_keeps_a_stored_value_exactly(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    review_id, _ = _hand_edited(home)
    ours = home / "reviews" / f"{review_id}.json"
    base = write(tmp_path / "base.json", ours.read_text(encoding="utf-8"))
    theirs_data = json.loads(ours.read_text(encoding="utf-8"))
    theirs_data["review"]["1"]["answers"]["opportunity"] = "Platform"
    theirs = write(tmp_path / "theirs.json", json.dumps(theirs_data))
    done = run_gatebook("merge-file", str(base), str(ours), str(theirs))
    assert done.returncode == 0, done.stderr
    merged = stored(home, review_id)
    assert merged["answers"] == {"customer": "Ac\x1bme\r\nLtd", "opportunity": "Platform"}
    assert merged["notes"] == {"customer": "n\x07"}


def test_a_new_member_takes_the_engagements_stored_value_exactly(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    code, out, err = gb(home, "engagement", "new", "Eng", "--customer", "Acme")
    assert code == 0, err
    path = home / "engagements" / f"{out.strip()}.json"
    path.write_text(path.read_text().replace('"Acme"', '"Ac\\r\\nme"'), encoding="utf-8")
    code, out, err = gb(home, "new", "oqr", "--title", "T", "--engagement", path.stem)
    assert code == 0, err
    assert stored(home, out.strip())["answers"] == {"customer": "Ac\r\nme"}


# ---- the app -----------------------------------------------------------------------------------


async def test_the_app_refuses_a_control_character_at_the_field(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve("oqr"), "Acme", answers={"customer": "Acme"})
    app.open_review_id = review.id
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        screen.goto("customer")
        await pilot.pause()
        screen.query_one("#editor-customer", Input).value = "Ac\x1bme"
        await pilot.pause()
        message = screen.query_one("#field-customer .message", PanelText)
        assert "control character U+001B" in message.text
        assert screen.review.answers["customer"] == "Acme"
        screen.close_saver()
    assert app.store.get(review.id).answers["customer"] == "Acme"


async def test_the_app_refuses_a_control_character_in_a_note(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve("oqr"), "Acme")
    app.open_review_id = review.id
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        screen.goto("customer")
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, TextPrompt)
        dialog.query_one("#prompt-input", Input).value = "call\x07back"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog  # still open, saying why
        assert "U+0007" in str(dialog.query_one("#prompt-hint", Static).render())
        dialog.query_one("#prompt-input", Input).value = "call back"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert screen.review.notes == {"customer": "call back"}
        screen.close_saver()
    assert app.store.get(review.id).notes == {"customer": "call back"}


async def test_the_app_refuses_a_control_character_in_a_table_row(tmp_path: Path) -> None:
    from gatebook.tui.screens.modals import RowEditor

    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve("s2d"), "Rows")
    app.open_review_id = review.id
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        screen.goto("known_risks")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, RowEditor)
        editor.query_one("#col-risk", Input).value = "Data\x1bloss"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor  # refused in the dialog, which stays open
        assert "U+001B" in str(editor.query_one("#row-message", Static).render())
        assert "known_risks" not in screen.review.answers
        screen.close_saver()
    assert "known_risks" not in app.store.get(review.id).answers


async def test_the_app_refuses_a_control_character_in_a_mitigation(tmp_path: Path) -> None:
    from gatebook.tui.screens.summary import SummaryScreen

    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve("oqr"), "Risky", answers={"tcv_usd": 6_000_000})
    app.open_review_id = review.id
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f8")
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        summary.query_one("#mitigation-large_deal_size", Input).value = "Phased\x07"
        await pilot.pause()
        assert summary.session.review.mitigations == {}
        summary.query_one("#mitigation-large_deal_size", Input).value = "Phased"
        await pilot.pause()
        assert summary.session.review.mitigations == {"large_deal_size": "Phased"}


HOSTILE = "Acme\x1b]0;pwned\x07\x1b[2J \u202eevil"


def _shown(screen: object) -> list[str]:
    """The text every title, Static and Input of a screen sends to the terminal."""
    from textual.screen import Screen

    assert isinstance(screen, Screen)
    texts = [str(screen.title), str(screen.sub_title)]
    texts += [str(widget.render()) for widget in screen.query(Static)]
    texts += [widget._value.plain for widget in screen.query(Input)]
    return texts


async def test_stored_text_from_a_merge_never_reaches_the_terminal_raw(tmp_path: Path) -> None:
    """A value another laptop stored (merge-file and import never rewrite one) holding an
    escape sequence or a bidi override: the review and summary screens show it escaped,
    so it cannot retitle or clear the terminal (docs/contracts.md "Terminal output")."""
    from gatebook.tui.screens.summary import SummaryScreen

    home = tmp_path / "ws"
    app = deterministic_app(home, offer_demo=False)
    review = app.store.create(app.catalog.resolve("oqr"), "Plain", answers={"customer": "A"})
    path = home / "reviews" / f"{review.id}.json"
    data = json.loads(path.read_text())
    stored_review = data["review"]["1"]
    stored_review["title"] = HOSTILE
    stored_review["answers"]["customer"] = HOSTILE
    stored_review["risk_register"] = {
        "risk_1": {"title": HOSTILE, "severity": "high", "owner": HOSTILE}
    }
    stored_review["mitigations"] = {"risk_1": HOSTILE}
    stored_review["notes"] = {"customer": HOSTILE}
    stored_review["escalation"] = {
        "to": HOSTILE, "decision": "proceed", "date": "2026-12-01", "note": HOSTILE,
    }  # fmt: skip
    path.write_text(json.dumps(data))
    app.open_review_id = review.id
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        screen.goto("customer")
        await pilot.pause()
        shown = _shown(screen)
        assert any("\\x1b]0;pwned" in text for text in shown), shown
        assert not [t for t in shown if "\x1b" in t or "\x07" in t or "\u202e" in t]
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        shown = _shown(app.screen)
        assert not [t for t in shown if "\x1b" in t or "\x07" in t or "\u202e" in t], shown
        for key in ("f4", "f6"):  # the escalation and the row dialogs, with what is stored
            app.screen.query_one("#mitigation-risk_1", Input).focus()
            await pilot.press(key)
            await pilot.pause()
            shown = _shown(app.screen)
            assert any("\ufffd]0;pwned" in t for t in shown), (key, shown)
            assert not [t for t in shown if "\x1b" in t or "\x07" in t or "\u202e" in t], shown
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        screen.close_saver()
    after = json.loads(path.read_text())["review"]["1"]
    assert after["answers"]["customer"] == HOSTILE  # shown escaped, never rewritten
    assert after["mitigations"]["risk_1"] == HOSTILE
