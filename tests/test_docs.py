"""The documentation stays true: snippets validate, the keyboard reference is current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gatebook.examples import run_examples
from gatebook.questionnaire.loader import load_questionnaire

ROOT = Path(__file__).parent.parent
AUTHORING = ROOT / "docs" / "authoring.md"
SNIPPETS = re.findall(r"```yaml\n(.*?)```", AUTHORING.read_text(encoding="utf-8"), re.S)


def test_the_guide_has_snippets() -> None:
    assert len(SNIPPETS) >= 6


@pytest.mark.parametrize("number", range(len(SNIPPETS)))
def test_every_authoring_snippet_validates(number: int, tmp_path: Path) -> None:
    path = tmp_path / f"snippet{number}.yaml"
    path.write_text(SNIPPETS[number], encoding="utf-8")
    questionnaire = load_questionnaire(path)
    assert run_examples(questionnaire) == []


def test_keyboard_reference_is_generated_from_the_bindings() -> None:
    from gatebook.tui.keys import END, START, reference

    text = (ROOT / "docs" / "using.md").read_text(encoding="utf-8")
    start, end = text.index(START), text.index(END) + len(END)
    assert text[start:end] == reference(), "run `make docs` to regenerate the reference"


def test_every_command_help_has_an_example() -> None:
    from click.testing import CliRunner

    from gatebook.cli import main

    runner = CliRunner()
    names = main.list_commands(None)  # type: ignore[arg-type]
    assert len(names) >= 20
    for name in names:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.output or "example" in result.output, name


def test_contracts_doc_matches_the_code() -> None:
    """docs/contracts.md states the verify states, the signed bytes and the limits the
    code uses; a change to one without the other fails here."""
    from gatebook.plan.signoff import SIGNED_FIELDS, SIGNED_HEADER
    from gatebook.plan.verify import STATES
    from gatebook.questionnaire.expressions import MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH
    from gatebook.questionnaire.source import MAX_DEPTH, MAX_FILE_BYTES

    text = (ROOT / "docs" / "contracts.md").read_text(encoding="utf-8")
    order = ", ".join(f"`{state}`" for state in STATES)
    assert order in " ".join(text.split()), "verify states out of order in contracts.md"
    assert SIGNED_HEADER in text
    signed = text[text.index("## Signed bytes") : text.index("## verify")]
    assert all(f"`{name}`" in signed for name in SIGNED_FIELDS)
    assert f"{MAX_FILE_BYTES // 2**20} MB" in text and f"{MAX_DEPTH} levels" in text
    assert f"{MAX_EXPRESSION_CHARS:,} characters" in text
    assert f"{MAX_EXPRESSION_DEPTH} levels" in text


def _in_order(text: str, *words: str) -> bool:
    places = [text.find(word) for word in words]
    return -1 not in places and places == sorted(places)


def test_the_workspace_is_home_then_env_then_marked_folder_then_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/using.md and `--home`'s help say the order workspace.py follows."""
    from click.testing import CliRunner

    from gatebook.cli import main

    from .cli_support import ok

    using = (ROOT / "docs" / "using.md").read_text(encoding="utf-8")
    where = " ".join(using[using.index("## Where the data lives") :].split()[:60])
    assert _in_order(
        where, "`--home DIR`", "`$GATEBOOK_HOME`", "`gatebook init` marked", "user data"
    )
    help_text = " ".join(CliRunner().invoke(main, ["--help"]).output.split())
    assert _in_order(help_text, "$GATEBOOK_HOME", "`gatebook init` marked", "user data folder")

    given, env, marked, data = (tmp_path / name for name in ("given", "env", "marked", "data"))
    ok("--home", str(marked), "init")
    (marked / "deep").mkdir()
    monkeypatch.chdir(marked / "deep")
    monkeypatch.setenv("GATEBOOK_HOME", str(env))
    monkeypatch.setenv("XDG_DATA_HOME", str(data))

    def lands_in(*home: str) -> Path:
        review = ok(*home, "new", "oqr", "--title", "Where")
        return next(tmp_path.rglob(f"reviews/{review}.json")).parent.parent

    assert lands_in("--home", str(given)) == given
    assert lands_in() == env
    monkeypatch.delenv("GATEBOOK_HOME")
    assert lands_in() == marked
    monkeypatch.chdir(tmp_path)
    assert lands_in() == data / "gatebook"
