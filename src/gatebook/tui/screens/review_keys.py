"""The review screen's keys: every binding has an id, a description, and shows in the
footer, the help screen or the command palette (docs/using.md is generated from it)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

REVIEW_BINDINGS: list[BindingType] = [
    Binding("escape", "leave", "Home", id="review.home"),
    # Moving between questions is decided here, before the key reaches the editor, so a
    # key typed right behind it (over a slow ssh link keys arrive together) already
    # finds the next question; `check_action` leaves a key to an editor that uses it.
    Binding(
        "down", "step(1, 'arrow')", "Next question", id="review.next", show=False, priority=True
    ),
    Binding(
        "up",
        "step(-1, 'arrow')",
        "Previous question",
        id="review.previous",
        show=False,
        priority=True,
    ),
    Binding(
        "tab,enter",
        "step(1, 'key')",
        "Next question",
        id="review.move_on",
        show=False,
        priority=True,
    ),
    Binding(
        "shift+tab",
        "step(-1, 'key')",
        "Previous question",
        id="review.move_back",
        show=False,
        priority=True,
    ),
    Binding("pagedown", "next_section", "Next section", id="review.next_section", priority=True),
    Binding(
        "pageup",
        "previous_section",
        "Prev section",
        id="review.previous_section",
        priority=True,
        show=False,
    ),
    Binding(
        "ctrl+n,f5",
        "next_unanswered",
        "Next unanswered",
        id="review.next_unanswered",
        priority=True,
    ),
    Binding(
        "f6",
        "next_follow_up",
        "Next follow-up",
        id="review.next_follow_up",
        priority=True,
        show=False,
    ),
    Binding("f2", "note", "Note", id="review.note", priority=True),
    Binding("f3", "not_applicable", "N/A", id="review.na", priority=True),
    Binding(
        "shift+f3,f15",
        "na_section",
        "Section N/A",
        id="review.na_section",
        priority=True,
        show=False,
        tooltip="Mark every question of this section not applicable with one reason "
        "(many terminals, and tmux over ssh, send shift+F3 as F15: both work)",
    ),
    Binding(
        "ctrl+o",
        "sessions",
        "Sessions",
        id="review.sessions",
        priority=True,
        show=False,
        tooltip="Record the session: date, who is on the call (name, organisation, role), notes",
    ),
    Binding("f4", "follow_up", "Follow-up", id="review.follow_up", priority=True),
    Binding("ctrl+z", "undo", "Undo", id="review.undo", priority=True),
    Binding("f8", "summary", "Summary", id="review.summary", priority=True),
    Binding(
        "ctrl+s",
        "save_now",
        "Save now",
        id="review.save",
        priority=True,
        tooltip="Write every pending answer now; after a failed save, retry",
    ),
    Binding(
        "ctrl+g",
        "goto_next",
        "Ask next",
        id="review.ask_next",
        priority=True,
        tooltip="Go to the question that settles the most undecided risk now",
    ),
    Binding(
        "ctrl+t",
        "toggle_guided",
        "Guided mode",
        id="review.guided",
        priority=True,
        show=False,
        tooltip="Guided mode on/off: after an answer, moving on goes to what to ask next",
    ),
    Binding("f9", "toggle_panel", "Risk panel", id="review.panel", priority=True),
    Binding(
        "f11",
        "settle('ours')",
        "Keep ours",
        id="review.keep_ours",
        priority=True,
        show=False,
        tooltip="A merge conflict on this answer: keep ours (the value shown)",
    ),
    Binding(
        "f12",
        "settle('theirs')",
        "Take theirs",
        id="review.take_theirs",
        priority=True,
        show=False,
        tooltip="A merge conflict on this answer: take the other side's value",
    ),
    Binding(
        "f7",
        "toggle_changes",
        "Changes since milestone",
        id="review.changes",
        priority=True,
        show=False,
        tooltip="Mark the answers changed since the review's last milestone (again: off)",
    ),
    Binding(
        "ctrl+r",
        "focus_panel",
        "Focus risk panel",
        id="review.focus_panel",
        priority=True,
        show=False,
        tooltip="Move focus to the risk panel; arrows, page up/down, home/end scroll it",
    ),
]
