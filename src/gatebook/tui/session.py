"""One open review: the review, its questionnaire, the live evaluation and the saver.

Screens receive the session, never another screen, and change the review only
through it. An answer reaches it on the hot path by a direct call (`answer`, handed
to each field when it is mounted), so
the answer, the evaluation and the live panel land in the frame that echoes the
key; the session then tells whoever listens what changed through one callback.
The saver reports from its thread only through `post_message`, so a failed save
reaches the screen the Textual way (`SaveReported`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.message_pump import MessagePump

from gatebook.engine import Evaluation
from gatebook.plan.render import render_plan
from gatebook.questionnaire.models import Questionnaire
from gatebook.store import Change, ChangeKind, Review, ReviewStore, StoreError, put_value
from gatebook.store.evaluation import evaluate_review
from gatebook.store.history import touched_keys
from gatebook.store.model import HistoryEntry, Signoff
from gatebook.store.recovery import Recovery, discard_recovery, read_recovery, write_recovery
from gatebook.store.storage import atomic_write_bytes
from gatebook.tui.saver import FLUSH_TIMEOUT_S, Saver

REGISTER_KINDS = frozenset({ChangeKind.OUTCOME, ChangeKind.RISK, ChangeKind.CARRY})
"""Changes to a register: conditions over the registers read them, not a question."""

if TYPE_CHECKING:
    from gatebook.milestone.service import Upgrade

Listener = Callable[["SessionChanged"], None]


@dataclass
class SaveReported(Message):
    """From the saver's thread: the last write succeeded (`error` None) or not."""

    error: str | None


@dataclass
class SharedReported(Message):
    """From the saver's thread: where a shared answer went, and the signed members of
    the engagement that kept their own value."""

    lines: list[str]


@dataclass(frozen=True)
class SessionChanged:
    """What changed in the session: the keys touched and whether visibility moved."""

    keys: frozenset[str]
    visibility_changed: bool
    reloaded: bool = False
    settled_changed: bool = True
    """Whether what is answered, undecided or raised moved (False while a keystroke only
    edits an answer already given): what to ask next and the section counts follow it."""


class ReviewSession:
    """The open review and the operations on it; no widget, no screen."""

    def __init__(self, store: ReviewStore, review: Review, questionnaire: Questionnaire) -> None:
        self.store = store
        self.review = review
        self.questionnaire = questionnaire
        self.result: Evaluation = self._evaluate()
        self.saver: Saver | None = None
        self._listeners: list[Listener] = []
        self.position: str | None = review.position
        """The question in view, remembered when the review closes."""
        self.upgrade: Upgrade | None = None
        """The review is on an earlier version of its questionnaire: what moving it to
        the live one does (docs/contracts.md "Versions"); the app holds its first change."""
        self.held: list[Change] | None = None
        """The changes held while the first change of a review to upgrade waits."""
        self.on_first_change: Callable[[], None] | None = None
        """Set by the app while an upgrade is pending: called once with the first change
        held, to upgrade (asking first when that voids sign-offs) or cancel."""

    @property
    def header_line(self) -> str:
        """The questionnaire's title; on an earlier version, that a newer one is
        available (short: it shares the header's 62 columns at 80 with the title)."""
        upgrade = self.upgrade
        if upgrade is None:
            return self.questionnaire.title
        return f"{upgrade.questionnaire} {upgrade.from_version} ({upgrade.to_version} available)"

    # ---- listening and saving ------------------------------------------------------

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def forget(self, listener: Listener) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def start_saving(self, reporter: MessagePump) -> None:
        """Start the saver; its results arrive at `reporter` as `SaveReported`."""
        if self.saver is None:

            def report(error: str | None) -> None:
                reporter.post_message(SaveReported(error))  # thread-safe in Textual

            def write(batch: list[Change]) -> None:
                """Shared answers go to the engagement's other members too."""
                from gatebook.engagement.members import write_changes

                _, _, shared = write_changes(
                    self.store, self.review.id, batch, self.questionnaire, coalesce=True
                )
                lines = shared.messages()
                if lines:
                    reporter.post_message(SharedReported(lines))

            self.saver = Saver(self.store, self.review.id, report, write)

    @property
    def has_unsaved(self) -> bool:
        return self.saver is not None and self.saver.has_unsaved

    @property
    def save_error(self) -> str | None:
        return self.saver.error if self.saver is not None else None

    def flush(self, timeout: float = FLUSH_TIMEOUT_S) -> bool:
        """Wait (bounded) until every accepted change is on disk; False when some could
        not be saved (the reason is `save_error`)."""
        return self.saver.flush(timeout) if self.saver is not None else True

    def save_now(self) -> bool:
        """ctrl+s: write now; after a failure, `flush` makes the saver try again."""
        return self.flush()

    def close(self) -> Path | None:
        """Write what is pending and remember the position; what cannot be written goes
        to a recovery file, whose path is returned."""
        if self.saver is None:
            return None
        unsaved = self.saver.close()
        self.saver = None
        if unsaved:
            return write_recovery(self.store.home, self.review.id, unsaved)
        if self.position:
            with contextlib.suppress(StoreError, OSError):
                self.store.set_position(self.review.id, self.position)
        return None

    # ---- changes -------------------------------------------------------------------

    def _evaluate(self, changed: frozenset[str] | None = None) -> Evaluation:
        previous = getattr(self, "result", None) if changed is not None else None
        return evaluate_review(self.questionnaire, self.review, previous, changed)

    def apply(self, changes: list[Change]) -> Evaluation:
        """Apply changes in memory, queue them for saving, re-evaluate, tell listeners."""
        if self.on_first_change is not None:  # the review upgrades first: hold them
            first = self.held is None
            self.held = [*(self.held or []), *changes]
            if first:
                self.on_first_change()
            return self.result
        keys = frozenset(key for c in changes for key in c.keys)
        before = self._answered(keys)
        for change in changes:
            put_value(self.review, change.kind, change.key, change.new)
        if self.saver is not None:
            self.saver.put(changes)
        registers = any(c.kind in REGISTER_KINDS for c in changes)
        self._changed(keys, answered_moved=before != self._answered(keys), whole=registers)
        return self.result

    def _answered(self, keys: frozenset[str]) -> tuple[bool, ...]:
        review = self.review
        return tuple(key in review.answers or key in review.not_applicable for key in sorted(keys))

    def answer(self, question_id: str, value: Any) -> None:
        """The hot path: a field calls this directly with each readable value. A text
        that replaces the whole previous one (a paste over a selection) starts a new undo
        step, so ctrl+z brings the old text back; keystrokes extend the current one."""
        old = self.review.answers.get(question_id)
        fresh = (
            isinstance(old, str)
            and isinstance(value, str)
            and bool(old)
            and bool(value)
            and len(value) - len(old) not in (-1, 0, 1)
            and not value.startswith(old)
            and not old.startswith(value)
        )
        self.apply([Change(ChangeKind.ANSWER, question_id, value, fresh=fresh)])

    def _changed(
        self,
        keys: frozenset[str],
        *,
        reloaded: bool = False,
        answered_moved: bool = True,
        whole: bool = False,
    ) -> None:
        previous = self.result
        # an answer's keystroke re-evaluates only the rules that read what it changed;
        # a register's row is read by no question id: every rule is evaluated again
        self.result = self._evaluate(None if reloaded or whole else keys)
        result = self.result
        settled = (
            reloaded
            or answered_moved
            or result.undecided != previous.undecided
            or [f.id for f in result.flags] != [f.id for f in previous.flags]
            or result.missing != previous.missing
        )
        change = SessionChanged(keys, result.visible != previous.visible, reloaded, settled)
        for listener in list(self._listeners):
            listener(change)

    def reload(self) -> None:
        """Re-read the review from the store (after undo, sign-off or an import)."""
        self.review = self.store.get(self.review.id)
        self._changed(frozenset(), reloaded=True)

    def undo(self) -> HistoryEntry | None:
        """Undo the last saved change; None when nothing is left, or when the answers are
        not saved yet (undo works on what is on disk)."""
        if not self.flush():
            raise StoreError("undo waits until the answers are saved (ctrl+s retries)")
        from gatebook.engagement.members import undo

        entry = undo(self.store, self.review.id)
        if entry is not None:
            self.review = self.store.get(self.review.id)
            self._changed(frozenset(touched_keys(entry.kind, entry.key, entry.new)), reloaded=True)
        return entry

    @property
    def user(self) -> str:
        """Who is at the keyboard: the name a sign-off or a history entry records."""
        return self.store.user()

    def set_guided(self, guided: bool) -> None:
        """Guided mode on or off, remembered for this review (StoreError/OSError when it
        could not be written: the mode still changes for this session)."""
        self.review.guided = guided
        self.store.set_guided(self.review.id, guided)

    def settle(self, field: str, take: str) -> None:
        """Settle a merge conflict (after saving what is pending); RecordProblem or
        StoreError when it cannot be."""
        from gatebook.store.resolve import resolution_changes

        if not self.flush():
            raise StoreError("settling waits until the answers are saved (ctrl+s retries)")
        changes = resolution_changes(self.review, self.questionnaire, field, take, None)
        self.review = self.store.settle_conflict(self.review.id, field, changes)
        self._changed(frozenset(c.key for c in changes), reloaded=True)

    def sign_off(self, signoff: Signoff) -> None:
        self.review = self.store.modify(
            self.review.id, lambda review: review.signoffs.append(signoff)
        )
        self._changed(frozenset(), reloaded=True)

    # ---- the plan and recovery -----------------------------------------------------

    def render(self) -> str:
        return render_plan(self.review, self.questionnaire)

    def export(self, path: Path, text: str | None = None) -> None:
        """Write the plan (OSError to the caller, who says so where the user looks)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, (text or self.render()).encode("utf-8"))

    def pending_recovery(self) -> Recovery | None:
        return read_recovery(self.store.home, self.review.id)

    def restore(self, recovery: Recovery) -> None:
        self.apply(recovery.changes)
        discard_recovery(recovery)

    @staticmethod
    def set_aside(recovery: Recovery) -> None:
        discard_recovery(recovery, keep_copy=True)
