"""The `gatebook` command: the app when run bare, headless commands for scripts.

Every command prints `path:LINE:COL: message` for a bad file and exits 2, never a
traceback; JSON output (`--format json`) follows docs/contracts.md. The group is
built here from one module per group of commands.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gatebook import __version__
from gatebook.cli import interview, launch, plan, questionnaires, records, reviews
from gatebook.cli.common import Context, fail
from gatebook.cli.launch import run_app
from gatebook.terminal import undecodable_argument
from gatebook.workspace import WorkspaceError, check_home, default_home

WORKSPACE_FREE = frozenset({"validate", "schema", "import-lens"})
"""Commands that never read the workspace, so a bad GATEBOOK_HOME does not stop them."""


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    help="Workspace folder (reviews, settings). Default: $GATEBOOK_HOME, else your user "
    "data folder.",
)
@click.option(
    "--questionnaires",
    "questionnaire_dir",
    type=click.Path(file_okay=False, path_type=Path),
    multiple=True,
    help="Extra folder of questionnaire files (YAML or AWS lens JSON). Repeatable.",
)
@click.version_option(__version__, prog_name="gatebook")
@click.pass_context
def main(ctx: click.Context, home: Path | None, questionnaire_dir: tuple[Path, ...]) -> None:
    """Run structured delivery reviews (OQR, PESA, S2D, OKR intake) during live calls.

    Run with no command to open the review app. Commands below are for scripts and
    quick checks.

    \b
    Examples:
      gatebook                                  open the app
      gatebook eval oqr --answers deal.yaml     flags, scores and gates for answers
      gatebook validate my-questionnaire.yaml   check a questionnaire and its examples
    """
    bad = undecodable_argument(sys.argv[1:])
    if bad is not None:
        fail(f"error: the argument {bad!r} is not valid UTF-8 text; retype it")
    ctx.obj = Context(
        home=(home or default_home()).expanduser(), questionnaire_dirs=list(questionnaire_dir)
    )
    if ctx.invoked_subcommand not in WORKSPACE_FREE:
        try:
            check_home(ctx.obj.home)
        except WorkspaceError as error:
            fail(f"error: {error}")
    if ctx.invoked_subcommand is None:
        run_app(ctx.obj)


for _command in (
    questionnaires.questionnaires_command,
    questionnaires.validate_command,
    questionnaires.eval_command,
    questionnaires.schema_command,
    questionnaires.import_lens_command,
    reviews.new_command,
    reviews.set_command,
    reviews.show_command,
    reviews.list_command,
    reviews.history_command,
    reviews.undo_command,
    reviews.delete_command,
    reviews.restore_command,
    records.risk_command,
    records.escalate_command,
    records.meeting_command,
    interview.next_command,
    launch.open_command,
    launch.serve_command,
    plan.export_command,
    plan.import_command,
    plan.signoff_command,
    plan.verify_command,
):
    main.add_command(_command)

__all__ = ["Context", "main"]
