"""The `gatebook` command: the app when run bare, headless commands for scripts.

Every command prints `path:LINE:COL: message` for a bad file and exits 2, never a
traceback; JSON output (`--format json`) follows docs/contracts.md. The group is
built here from one module per group of commands.
"""

from __future__ import annotations

import sys
from importlib import import_module
from pathlib import Path

import click

from gatebook import __version__
from gatebook.cli.context import Context, fail
from gatebook.collector import collect_for_command
from gatebook.terminal import undecodable_argument
from gatebook.workspace import WorkspaceError, check_home, default_home

WORKSPACE_FREE = frozenset({"validate", "schema", "import-lens", "init", "merge-file"})
"""Commands that never read the workspace, so a bad GATEBOOK_HOME does not stop them."""

COMMANDS = {
    "questionnaires": "questionnaires:questionnaires_command",
    "validate": "questionnaires:validate_command",
    "eval": "questionnaires:eval_command",
    "schema": "questionnaires:schema_command",
    "import-lens": "questionnaires:import_lens_command",
    "new": "reviews:new_command",
    "set": "reviews:set_command",
    "show": "reviews:show_command",
    "list": "reviews:list_command",
    "history": "reviews:history_command",
    "undo": "reviews:undo_command",
    "delete": "reviews:delete_command",
    "restore": "reviews:restore_command",
    "risk": "records:risk_command",
    "escalate": "records:escalate_command",
    "meeting": "records:meeting_command",
    "outcome": "outcomes:outcome_command",  # issue 33: outcomes-data
    "next": "interview:next_command",
    "open": "launch:open_command",
    "serve": "launch:serve_command",
    "export": "plan:export_command",
    "import": "plan:import_command",
    "signoff": "plan:signoff_command",
    "verify": "plan:verify_command",
    "engagement": "engagements:engagement_group",
    "milestone": "milestones:milestone_command",
    "milestones": "milestones:milestones_command",
    "diff": "milestones:diff_command",
    "upgrade": "milestones:upgrade_command",  # issue 33: versions
    "init": "team:init_command",
    "merge-file": "merge_file:merge_file_command",
    "conflicts": "team:conflicts_command",
    "resolve": "team:resolve_command",
    "report": "report:report_command",
}
"""Each command and where it lives: a module is imported only when its command runs,
so `gatebook` alone starts the app without loading every command's dependencies."""


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, name = target.partition(":")
        command: click.Command = getattr(import_module(f"gatebook.cli.{module}"), name)
        return command


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    help="Workspace folder (reviews, settings). Default: $GATEBOOK_HOME, else the nearest "
    "folder at or above this one that `gatebook init` marked, else your user data folder.",
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
    if ctx.invoked_subcommand is not None:
        collect_for_command()  # off for start-up (gatebook/collector.py)
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
    command = ctx.invoked_subcommand
    if command is not None and command not in WORKSPACE_FREE | {"engagement"}:
        from gatebook.cli.journal import APP_STARTS, READ_ONLY, settle_or_warn

        if command not in APP_STARTS:
            settle_or_warn(ctx.obj.home, write=command not in READ_ONLY)
    if ctx.invoked_subcommand is None:
        from gatebook.cli.launch import run_app

        run_app(ctx.obj)


__all__ = ["Context", "main"]
