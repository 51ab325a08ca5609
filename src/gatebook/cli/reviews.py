"""Review commands: new, set, show, list, history, undo, delete, restore."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from gatebook.cli.common import (
    FORMAT_OPTION,
    Context,
    fail,
    pass_context,
    read_answers_file,
    reports_problems,
    split_assignment,
    upgrade_before_change,
)
from gatebook.cli.questionnaires import print_evaluation_text
from gatebook.cli.records import meeting_json, print_records
from gatebook.engine.formatting import score_text
from gatebook.plan.report import ReviewReport, review_report
from gatebook.questionnaire.models import Questionnaire
from gatebook.store import (
    Review,
    ReviewStore,
)
from gatebook.terminal import echo, echo_json
from gatebook.workspace import (
    questionnaire_source,
)

if TYPE_CHECKING:
    from gatebook.store.reviews import ReviewOpening


@click.command("new")
@click.argument("questionnaire")
@click.option("--title", required=True, help="A name people recognise, e.g. 'Acme data platform'.")
@click.option("--subject", default="", help="Customer, engagement or ticket the review is about.")
@click.option(
    "--answers",
    "answers_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Pre-fill from a YAML/JSON mapping of question id to value (e.g. a CRM export).",
)
@click.option(
    "--engagement",
    "engagement_id",
    default=None,
    help="Create it inside this engagement: shared answers and open risks come with it.",
)
@click.option(
    "--override",
    default=None,
    metavar="REASON",
    help="With --engagement: start a stage before what it expects (e.g. a signed OQR), "
    "recording why.",
)
@pass_context
@reports_problems
def new_command(
    obj: Context,
    questionnaire: str,
    title: str,
    subject: str,
    answers_path: Path | None,
    engagement_id: str | None,
    override: str | None,
) -> None:
    """Start a review and print its id (only the id, for scripts).

    Example: id=$(gatebook new oqr --title "Acme data platform" --answers crm.yaml)
    """
    if override is not None and engagement_id is None:
        fail("error: --override goes with --engagement ENG")
    if override is not None and not override.strip():
        fail("error: --override needs a reason, e.g. --override 'OQR signed on paper'")
    from gatebook.store.records import checked_text

    title, subject = checked_text(title, "--title"), checked_text(subject, "--subject")
    override = checked_text(override, "--override") if override is not None else None
    definition = obj.catalog.resolve(questionnaire)
    given: ReviewOpening = {
        "subject": subject,
        "questionnaire_path": questionnaire_source(questionnaire),
    }
    if answers_path:
        read = read_answers_file(definition, answers_path)
        given |= {"answers": read.answers, "not_applicable": read.not_applicable}
    if engagement_id is None:
        echo(obj.store().create(definition, title, **given).id)
        return
    from gatebook.engagement.members import create_member

    made = create_member(  # an unknown engagement: exit 1 before anything is made
        obj.store(),
        engagement_id,
        definition,
        title,
        override=override.strip() if override else None,
        **given,
    )
    for line in made.warnings + made.shared.messages():
        echo(line, err=True)
    echo(made.review.id)


@click.command("set")
@click.argument("review_id")
@click.argument("assignments", nargs=-1)
@click.option("--note", "notes", multiple=True, metavar="ID=TEXT", help="Note on a question.")
@click.option(
    "--na",
    "not_applicable",
    multiple=True,
    metavar="ID=REASON",
    help="Mark a question not applicable (ID= clears the mark).",
)
@click.option(
    "--follow-up",
    "follow_ups",
    multiple=True,
    metavar="ID",
    help="Mark a question to come back to.",
)
@click.option("--done", "done", multiple=True, metavar="ID", help="Clear a follow-up mark.")
@click.option(
    "--mitigation",
    "mitigations",
    multiple=True,
    metavar="FLAG=TEXT",
    help="The mitigation for a raised flag.",
)
@click.option(
    "--na-section",
    "na_sections",
    multiple=True,
    metavar="SECTION=REASON",
    help="Mark every question of a section not applicable with one reason (SECTION= clears).",
)
@pass_context
@reports_problems
def set_command(
    obj: Context,
    review_id: str,
    assignments: tuple[str, ...],
    notes: tuple[str, ...],
    not_applicable: tuple[str, ...],
    follow_ups: tuple[str, ...],
    done: tuple[str, ...],
    mitigations: tuple[str, ...],
    na_sections: tuple[str, ...],
) -> None:
    """Set answers as a person types them: ID=VALUE (ID=a,b for a multichoice,
    JSON for a table, ID= clears). All values are read first; if one cannot be
    read nothing is written.

    Example: gatebook set oqr-1a2b3c tcv_usd=5.5M regulated_data=pii,phi --note tcv_usd="per CRM"
    """
    from gatebook.engine.answers import read_answer, read_text_for, unknown_question
    from gatebook.questionnaire.ids import did_you_mean
    from gatebook.store import Change, ChangeKind
    from gatebook.store.records import checked_text, section_na_change

    store = obj.store()
    review = store.get(review_id)
    definition = store.upgrade_target(review)  # the version this change moves it to

    def known(question_id: str) -> str:
        if definition.question(question_id) is None:
            raise unknown_question(definition, question_id)
        return question_id

    changes: list[Change] = []
    for text in assignments:
        key, raw = split_assignment(text, "ID=VALUE")
        changes.append(Change(ChangeKind.ANSWER, key, read_answer(definition, key, raw)))
    for text in notes:
        key, raw = split_assignment(text, "--note")
        changes.append(Change(ChangeKind.NOTE, key, read_text_for(definition, key, raw)))
    for text in not_applicable:
        key, raw = split_assignment(text, "--na")
        reason = read_text_for(definition, key, raw, "not applicable") if raw else None
        changes.append(Change(ChangeKind.NOT_APPLICABLE, known(key), reason))
    changes.extend(Change(ChangeKind.FOLLOW_UP, known(key), True) for key in follow_ups)
    changes.extend(Change(ChangeKind.FOLLOW_UP, known(key), False) for key in done)
    flag_ids = {risk.id for risk in definition.risks} | set(review.risk_register)
    for text in mitigations:
        key, raw = split_assignment(text, "--mitigation")
        if key not in flag_ids:
            hint = did_you_mean(key, flag_ids)
            fail(f"error: {key}: unknown flag or register row id for {definition.id}.{hint}")
        changes.append(Change(ChangeKind.MITIGATION, key, checked_text(raw, f"--mitigation {key}")))
    for text in na_sections:
        key, raw = split_assignment(text, "--na-section")
        changes.append(section_na_change(definition, key, raw or None))
    if not changes:
        fail("error: nothing to set; give ID=VALUE or an option (see --help)")
    from gatebook.engagement.members import write_changes

    upgrade_before_change(store, review, definition)
    _, entries, shared = write_changes(store, review_id, changes, definition)
    echo(f"{review_id}: {len(entries)} change{'' if len(entries) == 1 else 's'} saved", err=True)
    for line in shared.messages():
        echo(line, err=True)


def review_json(review: Review, definition: Questionnaire, report: ReviewReport) -> dict[str, Any]:
    from gatebook.store.canonical import content_digest

    result = report.evaluation
    digest = content_digest(review)
    views = report.signoffs
    return {
        "id": review.id,
        "questionnaire": review.questionnaire,
        "version": review.version,
        "questionnaire_version": definition.version,
        "title": review.title,
        "subject": review.subject,
        "answers": review.answers,
        "notes": review.notes,
        "not_applicable": review.not_applicable,
        "follow_ups": review.follow_ups,
        "mitigations": review.mitigations,
        "risk_register": [row.to_json() for row in result.register],
        "outcomes": [],  # filled by `show`, which follows each row's origins
        "escalation": report.escalation.to_json(),
        "meetings": [meeting_json(meeting) for meeting in review.meetings],
        "undecided": result.undecided.to_json(),
        "signoffs": [
            {
                **v.signoff.model_dump(mode="json"),
                "void": v.state == "void",
                "current": v.current,
                "state": v.state,
                "changed_since": v.changed,
            }
            for v in views
        ],
        "status": report.status,
        "warnings": result.to_json()["warnings"],
        "digest": digest,
        "orphaned": {k: v for k, v in review.answers.items() if definition.question(k) is None},
        "created": review.created,
        "updated": review.updated,
        "evaluation": result.to_json(),
        "conflicts": [c.model_dump(mode="json") for c in review.conflicts],
    }


def engagement_keys(
    store: ReviewStore, review: Review, definition: Questionnaire, report: ReviewReport
) -> dict[str, Any]:
    """`engagement`: the engagement it belongs to (or null); `rag`: its RAG status by
    the engagement's rules, as if it were an engagement of its own."""
    from gatebook.engagement.lifecycle import Member, today_of
    from gatebook.engagement.rag import rag
    from gatebook.engagement.store import EngagementStore

    owner = EngagementStore(store).engagement_of(review.id)
    alone = Member(review.id, review, definition, report)
    return {
        "engagement": owner.id if owner else None,
        "rag": rag([alone], today_of(store)).to_json(),
    }


@click.command("show")
@click.argument("review_id")
@FORMAT_OPTION
@pass_context
@reports_problems
def show_command(obj: Context, review_id: str, fmt: str) -> None:
    """Show a review: answers, notes, flags, scores, status.

    Example: gatebook show oqr-1a2b3c --format json
    """
    from gatebook.engine.formatting import format_value

    store = obj.store()
    review = store.get(review_id)
    definition = store.questionnaire_for(review)
    report = review_report(review, definition)
    data = review_json(review, definition, report)
    live = store.upgrade_target(review).version
    data["questionnaire_version"] = live  # the live one: an upgrade is available when it differs
    data.update(engagement_keys(store, review, definition, report))
    from gatebook.engagement.okr import metric_results  # issue 33: okr

    if (results := metric_results(review, definition)) is not None:
        data["metric_results"] = results
    from gatebook.store.origins import first_origins

    firsts = first_origins(store, review.risk_register)
    for row in data["risk_register"]:
        row["first_origin"] = firsts.get(row["id"])
    from gatebook.cli.outcomes import outcome_rows, print_outcomes

    data["outcomes"] = outcome_rows(store, review)
    if fmt == "json":
        echo_json(data, indent=2, ensure_ascii=False)
        return
    echo(f"{review.title}  [{review.id}]  status: {data['status']}")
    if live != review.version:
        from gatebook.milestone.service import upgrade_note

        echo(f"Questionnaire: {upgrade_note(review.questionnaire, review.version, live)}")
    if review.conflicts:
        echo(
            f"Open merge conflicts ({len(review.conflicts)}): "
            + ", ".join(c.field for c in review.conflicts)
            + f" (gatebook conflicts {review.id}; gatebook resolve {review.id} FIELD ...)"
        )
    if review.subject:
        echo(f"Subject: {review.subject}")
    print_evaluation_text(definition, report.evaluation)
    print_records(review, report)
    print_outcomes(store, review)
    for section in definition.sections:
        lines = []
        for question in section.questions:
            if question.id in review.not_applicable:
                lines.append(f"  {question.prompt}: N/A ({review.not_applicable[question.id]})")
            elif question.id in review.answers:
                lines.append(
                    f"  {question.prompt}: {format_value(question, review.answers[question.id])}"
                )
            if question.id in review.notes:
                lines.append(f"    note: {review.notes[question.id]}")
        if lines:
            echo(f"\n{section.title}")
            echo("\n".join(lines))
    if review.follow_ups:
        echo("\nFollow-ups: " + ", ".join(review.follow_ups))
    if data["signoffs"]:
        echo("\nSign-offs:")
    for signoff in data["signoffs"]:
        state = "VOID (content changed since)" if signoff["void"] else "current"
        if not signoff["current"]:
            state = "superseded"
        extra = f", override: {signoff['override']}" if signoff.get("override") else ""
        echo(
            f"  {signoff['role']}: {signoff['decision']} by {signoff['name']} at "
            f"{signoff['time']} [{state}{extra}]"
        )
    if data["orphaned"]:
        echo("\nAnswers to questions this questionnaire version no longer has (kept):")
        for key, value in data["orphaned"].items():
            echo(f"  {key}: {value}")


@click.command("list")
@FORMAT_OPTION
@click.option(
    "--trash", is_flag=True, help="List the deleted copies instead, with when each was deleted."
)
@pass_context
@reports_problems
def list_command(obj: Context, fmt: str, trash: bool) -> None:
    """List the workspace's reviews, newest change first.

    A review that cannot be read is listed as UNREADABLE with the reason (JSON:
    "unreadable"); every other review still lists.

    Example: gatebook list --format json
    """
    if trash:
        list_trash(obj.store(), fmt)
        return
    summaries = obj.store().summaries()
    if fmt == "json":
        echo_json([s.to_row() for s in summaries], indent=2, ensure_ascii=False)
        return
    if not summaries:
        echo("No reviews yet. Start one with: gatebook new oqr --title 'Acme'")
    for s in summaries:
        if s.unreadable:
            echo(f"{s.id:<18} UNREADABLE: {s.unreadable}")
            continue
        score = score_text(s.overall)
        mark = f"conflicts {s.conflicts}  " if s.conflicts else ""
        echo(
            f"{s.id:<18} {s.questionnaire:<10} {s.progress:>5.1f}%  H{s.high} M{s.medium} "
            f"score {score:<5} {s.status:<16} {s.updated}  {mark}{s.title}"
        )


def list_trash(store: ReviewStore, fmt: str) -> None:
    entries = store.trash_entries()
    if fmt == "json":
        echo_json(
            [{"id": e.id, "deleted": e.deleted, "path": str(e.path)} for e in entries], indent=2
        )
        return
    if not entries:
        echo("The trash is empty.")
    for entry in entries:
        echo(f"{entry.id:<18} deleted {entry.deleted}  {entry.path}")


@click.command("history")
@click.argument("review_id")
@FORMAT_OPTION
@pass_context
@reports_problems
def history_command(obj: Context, review_id: str, fmt: str) -> None:
    """Every change to a review: when, who, what, old -> new.

    Example: gatebook history oqr-1a2b3c
    """
    review = obj.store().get(review_id)
    if fmt == "json":
        echo_json([h.model_dump(mode="json") for h in review.history], indent=2, ensure_ascii=False)
        return
    for entry in review.history:
        mark = " (undone)" if entry.undone else (" (undo)" if entry.undo_of is not None else "")
        echo(
            f"{entry.time}  {entry.user:<10} {entry.kind:<14} {entry.key}: "
            f"{json.dumps(entry.old, ensure_ascii=False)} -> "
            f"{json.dumps(entry.new, ensure_ascii=False)}{mark}"
        )


@click.command("undo")
@click.argument("review_id")
@pass_context
@reports_problems
def undo_command(obj: Context, review_id: str) -> None:
    """Undo the last change to a review (repeat to go further back).

    Example: gatebook undo oqr-1a2b3c
    """
    from gatebook.engagement.members import undo

    entry = undo(obj.store(), review_id)
    if entry is None:
        echo("nothing to undo")
    else:
        echo(f"undid {entry.kind} {entry.key}: back to {json.dumps(entry.new, ensure_ascii=False)}")


@click.command("delete")
@click.argument("review_id")
@pass_context
@reports_problems
def delete_command(obj: Context, review_id: str) -> None:
    """Move a review to the trash (gatebook restore brings it back).

    Example: gatebook delete oqr-1a2b3c
    """
    target = obj.store().delete(review_id)
    echo(f"moved {review_id} to the trash ({target}); undo with: gatebook restore {review_id}")


@click.command("restore")
@click.argument("review_id")
@pass_context
@reports_problems
def restore_command(obj: Context, review_id: str) -> None:
    """Bring a review back from the trash (its newest deleted copy; older copies
    stay, see `gatebook list --trash`).

    Example: gatebook restore oqr-1a2b3c
    """
    review = obj.store().restore(review_id)
    echo(f"restored {review.id}: {review.title}")
