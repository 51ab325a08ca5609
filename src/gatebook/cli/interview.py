"""`gatebook next`: the questions to ask next, and what to probe."""

from __future__ import annotations

import click

from gatebook.cli.common import FORMAT_OPTION, Context, pass_context, reports_problems
from gatebook.engine.interview import DEFAULT_LIMIT, next_questions
from gatebook.store.evaluation import evaluate_review
from gatebook.terminal import echo, echo_json


@click.command("next")
@click.argument("review_id")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="How many questions to list.",
)
@FORMAT_OPTION
@pass_context
@reports_problems
def next_command(obj: Context, review_id: str, limit: int, fmt: str) -> None:
    """The questions to ask next: those that settle the most undecided items.

    An item (a flag, an escalation rule, a gate item) is undecided while its
    condition is unknown with the answers so far. Questions that decide undecided
    high flags come first, then those that decide the most items, required before
    optional, then questionnaire order; questions that decide nothing follow. Each
    lists the probes (questions to put to the customer) of the flags it decides.

    Example: gatebook next oqr-1a2b3c --limit 3 --format json
    """
    store = obj.store()
    review = store.get(review_id)
    definition = store.questionnaire_for(review)
    evaluation = evaluate_review(definition, review)
    ranked = next_questions(
        definition, evaluation, review.answers, review.not_applicable, limit=limit
    )
    if fmt == "json":
        echo_json(
            {
                "review": review.id,
                "undecided": evaluation.undecided.to_json(),
                "next": [item.to_json() for item in ranked],
            },
            indent=2,
            ensure_ascii=False,
        )
        return
    undecided = evaluation.undecided
    echo(
        f"Undecided: {len(undecided.flags)} flags, {len(undecided.escalation)} escalation "
        f"rules, {sum(len(v) for v in undecided.gates.values())} gate items"
    )
    if not ranked:
        echo("Nothing left to ask: every question shown is answered or marked N/A.")
    for number, item in enumerate(ranked, 1):
        decided = item.decides
        what = [*decided.flags, *decided.escalation, *(f"{g} gate" for g in decided.gates)]
        settles = f"  (decides: {', '.join(what)})" if what else ""
        echo(f"{number}. {item.prompt} [{item.question}]{settles}")
        for probe in item.probes:
            echo(f"     ask: {probe}")
