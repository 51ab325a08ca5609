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


def test_two_files_with_one_id_are_named_not_silently_one(isolated_home: Path) -> None:
    """The first file (by name) is used, as before; the other is listed as not used."""
    folder = isolated_home / "questionnaires"
    body = 'id: mine\ntitle: {}\nversion: "1"\nsections:\n  - id: s\n    title: S\n'
    body += "    questions:\n      - id: a\n        type: boolean\n        prompt: A\n"
    write(folder / "a.yaml", body.format("One"))
    write(folder / "b.yaml", body.format("Two"))
    listed = run_gatebook("questionnaires")
    assert listed.returncode == 0
    assert "mine           1        user      One" in listed.stdout
    assert f"b.yaml:1:1: questionnaire id 'mine' is also in {folder / 'a.yaml'}" in listed.stdout
    as_json = json.loads(run_gatebook("questionnaires", "--format", "json").stdout)
    assert [e["title"] for e in as_json if e["id"] == "mine"] == ["One"]
    assert any("b.yaml" in e["path"] and "give it another" in e["error"] for e in as_json)


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


# ---- hostile workspace files (issue 31): named, never a traceback ------------------------------


def _gb(home: Path, *args: str) -> tuple[int, str, str]:
    done = run_gatebook("--home", str(home), *args)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


def test_a_stored_lone_surrogate_is_escaped_at_export_and_round_trips(tmp_path: Path) -> None:
    """Only a hand edit (or a merge) stores one; the plan writes it as the six characters
    `\\ud800`, which in the data block is the same code point: verify and import agree."""
    home = tmp_path / "ws"
    code, out, _ = _gb(home, "new", "oqr", "--title", "S")
    review_id = out.strip()
    _gb(home, "set", review_id, "customer=Acme")
    path = home / "reviews" / f"{review_id}.json"
    path.write_text(path.read_text().replace('"Acme"', '"Ac\\ud800me"'), encoding="utf-8")
    digest = json.loads(_gb(home, "show", review_id, "--format", "json")[1])["digest"]
    plan = tmp_path / "plan.md"
    assert _gb(home, "export", review_id, "-o", str(plan))[0] == 0
    text = plan.read_text(encoding="utf-8")  # valid UTF-8
    assert "Ac\\ud800me" in text and "\ud800" not in text
    assert _gb(home, "verify", str(plan))[0] == 0
    other = tmp_path / "other"
    code, _, err = _gb(other, "import", str(plan))
    assert code == 0, err
    shown = json.loads(_gb(other, "show", review_id, "--format", "json")[1])
    assert shown["answers"]["customer"] == "Ac\ud800me" and shown["digest"] == digest


@pytest.mark.parametrize(
    ("name", "kind", "option"),
    [
        ("reviews", "file", ()),
        ("plans", "dangling link", ()),
        ("milestones", "fifo", ()),
        (".gatebook", "folder", ()),
        (".gitignore", "folder", ("--git",)),
    ],
)
def test_init_refuses_a_path_in_the_way_and_changes_nothing(
    tmp_path: Path, name: str, kind: str, option: tuple[str, ...]
) -> None:
    import os

    home = tmp_path / "ws"
    home.mkdir()
    target = home / name
    if kind == "file":
        target.write_text("x")
    elif kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to(tmp_path / "nowhere")
    before = tree(home)
    code, _, err = _gb(home, "init", *option)
    assert code == 2 and f"{target} is in the way" in err, err
    assert tree(home) == before


def test_an_engagement_start_that_is_no_date_is_damaged(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    engagement = _gb(home, "engagement", "new", "Acme", "--start", "2026-01-05")[1].strip()
    path = home / "engagements" / f"{engagement}.json"
    path.write_text(path.read_text().replace("2026-01-05", "2026-02-30"), encoding="utf-8")
    code, out, _ = _gb(home, "engagement", "list")
    assert code == 0 and "UNREADABLE" in out and "2026-02-30 is not a date" in out
    code, _, err = _gb(home, "new", "close", "--title", "C", "--engagement", engagement)
    assert code == 1 and str(path) in err and "start" in err
    assert not (home / "reviews").exists() or not list((home / "reviews").iterdir())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (("sequence",), "1"),
        (("note",), None),
        (("evaluation", "scores", "TE"), "high"),
        (("evaluation", "gates", "pre_implementation", "passed"), "yes"),
        (("evaluation", "flags"), [{"id": "x"}]),
        (("signoffs",), [{"role": "r", "state": "current"}]),
    ],
)
def test_a_milestone_of_the_wrong_types_is_damaged(
    tmp_path: Path, field: tuple[str, ...], value: object
) -> None:
    from gatebook.milestone.point import digest_of_frozen

    home = tmp_path / "ws"
    review_id = _gb(home, "new", "oqr", "--title", "M")[1].strip()
    _gb(home, "milestone", review_id, "one")
    _gb(home, "milestone", review_id, "two")
    path = home / "milestones" / review_id / "one.json"
    data = json.loads(path.read_text())
    inner = data
    for key in field[:-1]:
        inner = inner[key]
    inner[field[-1]] = value
    data["digest"] = digest_of_frozen(data)  # a plain hash: anyone can recompute it
    path.chmod(0o644)
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = _gb(home, "milestones", review_id)
    assert code == 0 and "two" in out and "one" not in out.split()
    assert f"{path} is damaged" in err and ".".join(field) in err
    for args in (("diff", review_id, "one"), ("export", review_id, "--since", "one")):
        code, _, err = _gb(home, *args)
        assert code == 1 and f"{path} is damaged" in err, args


def test_a_combined_plan_with_a_stored_lone_surrogate_is_written_and_verifies(
    tmp_path: Path,
) -> None:
    home = tmp_path / "ws"
    engagement = _gb(home, "engagement", "new", "Eng", "--customer", "Acme")[1].strip()
    review_id = _gb(home, "new", "oqr", "--title", "T", "--engagement", engagement)[1].strip()
    for path in (
        home / "reviews" / f"{review_id}.json",
        home / "engagements" / f"{engagement}.json",
    ):
        path.write_text(path.read_text().replace('"Acme"', '"Ac\\ud800me"'), encoding="utf-8")
    plan = tmp_path / "plan.md"
    code, _, err = _gb(home, "engagement", "plan", engagement, "-o", str(plan))
    assert code == 0, err
    assert "Ac\\ud800me" in plan.read_text(encoding="utf-8")
    assert _gb(home, "verify", str(plan))[0] == 0
