"""The review screen's keys: every binding has an id, a description, and shows in the
footer, the help screen or the command palette (docs/using.md is generated from it)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

REVIEW_BINDINGS: list[BindingType] = [
    Binding("escape", "leave", "Home", id="review.home"),
    Binding("down", "next_question", "Next question", id="review.next", show=False),
    Binding("up", "previous_question", "Previous question", id="review.previous", show=False),
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
        "shift+f3",
        "na_section",
        "Section N/A",
        id="review.na_section",
        priority=True,
        show=False,
        tooltip="Mark every question of this section not applicable with one reason",
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
        "ctrl+r",
        "focus_panel",
        "Focus risk panel",
        id="review.focus_panel",
        priority=True,
        show=False,
        tooltip="Move focus to the risk panel; arrows, page up/down, home/end scroll it",
    ),
]
