from __future__ import annotations

import time
from pathlib import Path

import pytest

from gatebook.questionnaire import SourceError, load_questionnaire
from gatebook.questionnaire.schema import questionnaire_schema

from .conftest import write

BASE = """\
id: t
title: T
version: "1"
sections:
  - id: s
    title: S
    questions:
      - id: a
        type: number
        prompt: A
      - id: b
        type: boolean
        prompt: B
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path / "q.yaml", text)
    with pytest.raises(SourceError) as caught:
        load_questionnaire(path)
    return [f"{p.line}:{p.column}: {p.message}" for p in caught.value.problems]


def test_base_loads(tmp_path: Path) -> None:
    q = load_questionnaire(write(tmp_path / "q.yaml", BASE))
    assert [x.id for x in q.questions()] == ["a", "b"]


def test_wrong_type_points_at_the_value(tmp_path: Path) -> None:
    found = problems(tmp_path, BASE.replace("type: number", "type: nmber"))
    assert found[0].startswith("9:15: `type`: Input should be")


def test_a_wrongly_typed_value_says_what_to_write(tmp_path: Path) -> None:
    """pydantic says what is wrong; each refusal also says what to write instead."""
    found = problems(
        tmp_path, BASE.replace("type: number", "type: number\n        required: maybe")
    )
    assert any(f.startswith("10:19: `required`: Input should be a valid boolean") for f in found)
    assert any(f.endswith("; write true or false") for f in found)


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    found = problems(tmp_path, BASE.replace("prompt: B", "promt: B"))
    assert any(f.startswith("13:9: unknown key `promt`. Did you mean `prompt`?") for f in found)


def test_missing_key(tmp_path: Path) -> None:
    found = problems(tmp_path, BASE.replace("title: T\n", ""))
    assert found == ["1:1: `title` is required here; add `title: ...`"]


def test_duplicate_id(tmp_path: Path) -> None:
    found = problems(tmp_path, BASE.replace("id: b", "id: a"))
    assert found == [
        "11:13: duplicate question id 'a' (first used on line 8); give each a different id"
    ]


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    found = problems(tmp_path, BASE.replace("title: T\n", "title: T\ntitle: U\n"))
    assert found[0].startswith("3:1: duplicate key 'title'")


def test_dangling_reference(tmp_path: Path) -> None:
    text = BASE + "gates:\n  - id: g\n    title: G\n    items: [zzz]\n"
    assert problems(tmp_path, text)[0].startswith("17:13: unknown question 'zzz'")
    rating = BASE.replace("type: number", "type: rating\n        dimension: XX")
    assert "unknown dimension 'XX'" in problems(tmp_path, rating)[0]


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("a >", "cannot read the condition"),
        ("c > 1", "unknown question id 'c'"),
        ("foo(a)", "unknown function 'foo'"),
    ],
)
def test_bad_expression_with_line(tmp_path: Path, when: str, message: str) -> None:
    text = BASE + f"risks:\n  - id: r\n    title: R\n    severity: high\n    when: {when}\n"
    found = problems(tmp_path, text)
    assert found[0].startswith("18:")
    assert message in found[0]


def test_bad_show_if_column_points_into_the_expression(tmp_path: Path) -> None:
    text = BASE.replace("prompt: B", "prompt: B\n        show_if: a > 1 and zz")
    found = problems(tmp_path, text)
    assert found[0].startswith("14:28: unknown question id 'zz'")


def test_bad_template(tmp_path: Path) -> None:
    text = BASE + (
        "risks:\n  - id: r\n    title: R\n    severity: high\n    when: b\n"
        "    why: value {a:dollars}\n"
    )
    assert "unknown format 'dollars'" in problems(tmp_path, text)[0]


def test_yaml_syntax_error(tmp_path: Path) -> None:
    found = problems(tmp_path, BASE + "  - broken: [\n")
    assert "cannot read YAML" in found[0]


def test_risk_needs_when_or_levels(tmp_path: Path) -> None:
    text = BASE + "risks:\n  - id: r\n    title: R\n    severity: high\n"
    assert "a risk needs `when` and `severity`" in problems(tmp_path, text)[0]


def test_billion_laughs_fails_fast(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    started = time.perf_counter()
    found = problems(tmp_path, "\n".join(lines) + "\n")
    assert time.perf_counter() - started < 1.0
    assert "aliases" in found[0]


def test_not_a_mapping(tmp_path: Path) -> None:
    assert "a questionnaire is a mapping" in problems(tmp_path, "- just\n- a list\n")[0]


def test_schema_comes_from_the_models() -> None:
    schema = questionnaire_schema()
    assert schema["additionalProperties"] is False
    assert {"id", "title", "version", "sections", "risks", "examples"} <= set(schema["properties"])
