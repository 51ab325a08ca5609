"""Hostile questionnaires and lenses: refused fast, with file:line:col, exit 2, nothing written.

The corpus lives in tests/data/hostile/ (one file per case); the very large cases
are generated here so the repository stays small.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from gatebook.cli import main

from .cli_support import run_gatebook, run_gatebook_process
from .conftest import DATA, write

HOSTILE = sorted((DATA / "hostile").glob("*.yaml"))
HUGE_S = 20.0  # a hang guard only: speed is measured by the benchmark, not asserted here


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def assert_refused(path: Path, code: int, err: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    first = err.strip().splitlines()[0]
    assert re.match(rf"^{re.escape(str(path))}:\d+:\d+: \S", first), first


def test_the_corpus_has_every_kind() -> None:
    names = {p.stem for p in HOSTILE}
    for kind in ("alias_recursive", "billion_laughs", "expression_deep_not", "id_fullwidth"):
        assert any(name.startswith(kind) for name in names), kind


@pytest.mark.slow
@pytest.mark.parametrize("path", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_validate_refuses_with_a_position(path: Path) -> None:
    started = time.monotonic()
    done = run_gatebook_process("validate", str(path))
    assert time.monotonic() - started < HUGE_S
    assert_refused(path, done.returncode, done.stderr)
    assert "ok (" not in done.stdout


@pytest.mark.parametrize("path", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_eval_and_new_refuse_and_leave_the_workspace_unchanged(
    path: Path, tmp_path: Path, isolated_home: Path
) -> None:
    runner = CliRunner()
    answers = write(tmp_path / "answers.yaml", "tcv: 5\n")
    before = tree(isolated_home)
    result = runner.invoke(main, ["eval", str(path), "--answers", str(answers)])
    assert_refused(path, result.exit_code, result.stderr)
    result = runner.invoke(main, ["new", str(path), "--title", "x"])
    assert_refused(path, result.exit_code, result.stderr)
    assert tree(isolated_home) == before


def many_options(count: int, distinct: int) -> str:
    options = "\n".join(f"          - o{i % distinct}" for i in range(count))
    return (
        "id: many\ntitle: t\nversion: '1'\nsections:\n  - id: s\n    title: S\n"
        "    questions:\n      - id: c\n        type: choice\n        prompt: C\n"
        f"        options:\n{options}\n"
    )


@pytest.mark.slow
def test_a_question_with_100000_options_validates_in_linear_time(tmp_path: Path) -> None:
    good = write(tmp_path / "many.yaml", many_options(100_000, 100_000))
    started = time.monotonic()
    done = run_gatebook_process("validate", str(good))
    assert time.monotonic() - started < HUGE_S
    assert done.returncode == 0, done.stderr
    duplicated = write(tmp_path / "dups.yaml", many_options(100_000, 50_000))
    done = run_gatebook_process("validate", str(duplicated))
    assert_refused(duplicated, done.returncode, done.stderr)
    assert "duplicate option 'o0'" in done.stderr
    assert "49950 more problems" in done.stderr  # the first 50 located, the rest counted


@pytest.mark.slow
def test_a_lens_with_20000_bad_ids_is_refused_in_linear_time(tmp_path: Path) -> None:
    questions = [
        {
            "id": f"q{i}",
            "title": "T",
            "choices": [{"id": "a", "title": "A"}],
            "riskRules": [{"condition": f"bad{i}", "risk": "HIGH_RISK"}],
        }
        for i in range(20_000)
    ]
    lens = {
        "schemaVersion": "2021-11-01",
        "name": "Bad",
        "pillars": [{"id": "p", "name": "P", "questions": questions}],
    }
    path = write(tmp_path / "bad-lens.json", json.dumps(lens, indent=1))
    started = time.monotonic()
    done = run_gatebook_process("validate", str(path))
    assert time.monotonic() - started < HUGE_S
    assert_refused(path, done.returncode, done.stderr)
    assert "unknown choice id 'bad0'" in done.stderr


@pytest.mark.slow
def test_a_file_over_16_mb_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("w") as handle:
        handle.write("id: huge\ntitle: t\nversion: '1'\ndescription: '")
        handle.write("x" * (16 * 1024 * 1024))
        handle.write("'\n")
    done = run_gatebook_process("validate", str(path))
    assert_refused(path, done.returncode, done.stderr)
    assert "16 MB" in done.stderr


def test_lens_ids_that_break_the_rules_are_mapped(tmp_path: Path) -> None:
    lens = {
        "schemaVersion": "2021-11-01",
        "name": "Ünïcode lens — with a very long name that goes on and on past sixty-four chars",
        "pillars": [
            {
                "id": "Pillar-1",
                "name": "P",
                "questions": [
                    {"id": "1st question", "title": "T", "choices": [{"id": "a", "title": "A"}]},
                    {"id": "1st_question", "title": "U", "choices": [{"id": "a", "title": "A"}]},
                ],
            }
        ],
    }
    path = write(tmp_path / "odd-ids.json", json.dumps(lens))
    done = run_gatebook("import-lens", str(path))
    assert done.returncode == 0, done.stderr
    assert "id: Pillar_1" in done.stdout
    assert "id: _1st_question\n" in done.stdout and "id: _1st_question_2\n" in done.stdout
    first_line = next(line for line in done.stdout.splitlines() if line.startswith("id: "))
    ident = first_line.removeprefix("id: ")
    assert len(ident) <= 64 and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", ident)


def test_a_broken_file_in_the_folder_breaks_only_what_uses_it(isolated_home: Path) -> None:
    folder = isolated_home / "questionnaires"
    write(folder / "broken.yaml", "id: broken\ntitle: [unclosed\n")
    done = run_gatebook("new", "oqr", "--title", "Fine")
    assert done.returncode == 0, done.stderr
    assert run_gatebook("list").returncode == 0
    listed = run_gatebook("questionnaires")
    assert listed.returncode == 0
    assert "BROKEN" in listed.stdout and "broken.yaml:3:1:" in listed.stdout
    asked = run_gatebook("new", "broken", "--title", "x")
    assert_refused(folder / "broken.yaml", asked.returncode, asked.stderr)


def test_a_broken_tailored_oqr_fails_instead_of_using_the_built_in(
    isolated_home: Path,
) -> None:
    folder = isolated_home / "questionnaires"
    write(folder / "team-oqr.yaml", "id: oqr\ntitle: Tailored\nversion: '3'\nsections: 5\n")
    done = run_gatebook("new", "oqr", "--title", "x")
    assert_refused(folder / "team-oqr.yaml", done.returncode, done.stderr)
    assert not (isolated_home / "reviews").exists() or not list(
        (isolated_home / "reviews").iterdir()
    )


HOSTILE_LENSES = sorted((DATA / "hostile").glob("lens_*.json"))


def test_the_lens_corpus_nests_every_operator() -> None:
    names = {p.stem for p in HOSTILE_LENSES}
    assert {"lens_deep_not", "lens_deep_parens", "lens_deep_and", "lens_deep_or"} <= names


@pytest.mark.parametrize("path", HOSTILE_LENSES, ids=[p.stem for p in HOSTILE_LENSES])
def test_a_deep_lens_condition_is_refused_at_the_rule(path: Path, tmp_path: Path) -> None:
    lens_text = path.read_text()
    condition = json.loads(lens_text)["pillars"][0]["questions"][0]["riskRules"][0]["condition"]
    line = next(n for n, text in enumerate(lens_text.splitlines(), 1) if '"condition"' in text)
    for args in (("validate", str(path)), ("import-lens", str(path), "-o", str(tmp_path / "x"))):
        started = time.monotonic()
        done = run_gatebook(*args)
        assert time.monotonic() - started < HUGE_S
        assert_refused(path, done.returncode, done.stderr)
        assert done.stderr.startswith(f"{path}:{line}:"), done.stderr[:200]
        expected = "nested more than 40 levels deep" if "deep" in path.stem else "longer than"
        assert expected in done.stderr
    assert not (tmp_path / "x").exists()
    assert len(condition) > 1000


@pytest.mark.parametrize("depth", [36, 37])
def test_a_lens_condition_nested_to_the_limit_still_imports(depth: int, tmp_path: Path) -> None:
    lens = json.loads((DATA / "hostile" / "lens_deep_not.json").read_text())
    lens["pillars"][0]["questions"][0]["riskRules"][0]["condition"] = "!" * depth + "c1"
    path = write(tmp_path / "lens.json", json.dumps(lens, indent=2))
    done = run_gatebook("validate", str(path))
    assert done.returncode == (0 if depth == 36 else 2), done.stderr
    assert "Traceback" not in done.stderr


HOSTILE_ANSWERS = {
    "oqr_huge_integer.yaml": ("oqr", 1, 10, "Total contract value (USD) [tcv_usd]: "),
    "s2d_bad_date.yaml": ("s2d", 3, 15, "Customer kickoff date [kickoff_date]: "),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_ANSWERS))
def test_an_answer_yaml_cannot_convert_is_refused_at_the_value(
    name: str, isolated_home: Path
) -> None:
    questionnaire, line, column, named = HOSTILE_ANSWERS[name]
    path = DATA / "hostile" / "answers" / name
    before = tree(isolated_home)
    for args in (
        ("eval", questionnaire, "--answers", str(path), "--format", "json"),
        ("new", questionnaire, "--title", "x", "--answers", str(path)),
    ):
        done = run_gatebook(*args)
        assert_refused(path, done.returncode, done.stderr)
        assert done.stderr.startswith(f"{path}:{line}:{column}: {named}"), done.stderr
        assert done.stdout == ""
    assert tree(isolated_home) == before


def test_a_questionnaire_value_yaml_cannot_convert_is_refused_where_it_is(tmp_path: Path) -> None:
    path = write(tmp_path / "q.yaml", "id: q\ntitle: T\nversion: 2026-02-30\nsections: []\n")
    done = run_gatebook("validate", str(path))
    assert_refused(path, done.returncode, done.stderr)
    assert done.stderr.startswith(f"{path}:3:10: cannot read the value '2026-02-30'")
