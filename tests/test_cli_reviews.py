from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from gatebook.cli import main

from .conftest import write


def gb(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def new_review(tmp_path: Path, answers: str = "tcv_usd: 6M\n") -> str:
    path = write(tmp_path / "crm.yaml", answers)
    code, out, err = gb(
        "new", "oqr", "--title", "Acme", "--subject", "Acme Corp", "--answers", str(path)
    )
    assert code == 0, err
    assert out.count("\n") == 1
    return out.strip()


def show(review_id: str) -> dict:  # type: ignore[type-arg]
    code, out, err = gb("show", review_id, "--format", "json")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def test_new_prints_only_the_id(tmp_path: Path) -> None:
    review_id = new_review(tmp_path)
    assert review_id.startswith("oqr-")
    data = show(review_id)
    for key in (
        "id",
        "questionnaire",
        "version",
        "title",
        "answers",
        "notes",
        "not_applicable",
        "signoffs",
        "status",
        "evaluation",
    ):
        assert key in data
    assert data["answers"] == {"tcv_usd": 6000000}
    assert data["status"] == "draft"
    assert [f["id"] for f in data["evaluation"]["flags"]] == ["large_deal_size", "no_outcomes"]


def test_set_reads_values_as_typed(tmp_path: Path) -> None:
    review_id = new_review(tmp_path)
    code, _, err = gb(
        "set",
        review_id,
        "tcv_usd=4.5m",
        "regulated_data=pii,phi",
        "--note",
        "tcv_usd=from CRM",
        "--na",
        "production_access=advisory",
        "--follow-up",
        "customer",
        "--mitigation",
        "regulated_data=DPA signed",
    )
    assert code == 0, err
    data = show(review_id)
    assert data["answers"]["tcv_usd"] == 4500000
    assert data["answers"]["regulated_data"] == ["pii", "phi"]
    assert data["notes"] == {"tcv_usd": "from CRM"}
    assert data["not_applicable"] == {"production_access": "advisory"}
    assert data["follow_ups"] == ["customer"]
    assert data["mitigations"] == {"regulated_data": "DPA signed"}
    code, _, _ = gb("set", review_id, "tcv_usd=")
    assert code == 0 and "tcv_usd" not in show(review_id)["answers"]


def test_bad_value_writes_nothing(tmp_path: Path) -> None:
    review_id = new_review(tmp_path)
    before = show(review_id)
    for bad in (
        ["customer=Acme", "tcv_usd=lots"],
        ["nope=1"],
        ["regulated_data=pii,xyz"],
        ["contract_type=barter"],
    ):
        code, _, err = gb("set", review_id, *bad)
        assert code == 2 and "Traceback" not in err
        assert bad[-1].split("=")[0] in err
    assert show(review_id) == before


def test_unknown_review(tmp_path: Path) -> None:
    code, _, err = gb("show", "oqr-nothere")
    assert code == 1 and "no review" in err


def test_list_history_undo_delete_restore(tmp_path: Path) -> None:
    review_id = new_review(tmp_path)
    gb("set", review_id, "tcv_usd=1M")
    code, out, _ = gb("list", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and rows[0]["id"] == review_id and rows[0]["high"] == 0
    code, out, _ = gb("history", review_id)
    assert "tcv_usd: 6000000 -> 1000000" in out
    code, out, _ = gb("undo", review_id)
    assert code == 0 and show(review_id)["answers"]["tcv_usd"] == 6000000
    code, out, _ = gb("delete", review_id)
    assert code == 0 and json.loads(gb("list", "--format", "json")[1]) == []
    code, out, _ = gb("restore", review_id)
    assert code == 0 and show(review_id)["title"] == "Acme"


def test_new_with_na_in_answers_and_home_option(tmp_path: Path) -> None:
    home = tmp_path / "elsewhere"
    path = write(tmp_path / "a.yaml", "custom_ai_ml: {not_applicable: no ML}\n")
    code, out, _ = gb("--home", str(home), "new", "oqr", "--title", "T", "--answers", str(path))
    assert code == 0 and (home / "reviews" / f"{out.strip()}.json").exists()
