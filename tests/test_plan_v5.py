"""Plan format 5 (issue 31): the since chapter bound to the milestone file the plan
carries, the register's `From` column, `verify --require-signatures`, notes.

Forgeries are made as an attacker would, with gatebook's own code where that helps
them (digests recomputed); keys are real `ssh-keygen` keys.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gatebook.milestone.bound import since_chapter_data
from gatebook.milestone.point import digest_of_frozen
from gatebook.plan.document import (
    block_digest,
    data_block,
    parse_plan,
    plan_questionnaire,
    review_from_data,
)
from gatebook.plan.render import render_plan
from gatebook.plan.since import BoundSince

from .cli_support import gb, ok
from .conftest import write
from .plan_support import FIXED_TIME

GOLDEN = Path(__file__).parent / "golden"
FORMAT_4_NOTE = "since chapter: format 4 does not bind the milestone (re-export)"
DEAL = """\
id: deal
title: Deal
version: "1"
stage: validation
target: 80
dimensions:
  - {id: Q, title: Quality}
sections:
  - id: facts
    title: Facts
    questions:
      - {id: tcv, type: money, prompt: Total value}
      - {id: quality, type: rating, prompt: Quality, dimension: Q}
risks:
  - {id: big, title: Big deal, category: financial, severity: high, when: tcv > 5000000}
signoff:
  - {id: lead, title: Lead, required: true}
  - {id: sponsor, title: Sponsor, required: false}
"""
needs_ssh = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")


@pytest.fixture(autouse=True)
def deal_questionnaire(isolated_home: Path) -> None:
    write(isolated_home / "questionnaires" / "deal.yaml", DEAL)
    sow = DEAL.replace("id: deal", "id: sow").replace("stage: validation", "stage: sow")
    write(isolated_home / "questionnaires" / "sow.yaml", sow)


@pytest.fixture
def key(tmp_path: Path) -> tuple[Path, Path]:
    """A real ed25519 key for "Ana Lima" and an allowed-signers file naming her."""
    if shutil.which("ssh-keygen") is None:
        pytest.skip("needs ssh-keygen")
    private = tmp_path / "keys" / "ana"
    private.parent.mkdir()
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ana", "-f", str(private)],
        check=True,
    )
    public = private.with_suffix(".pub").read_text()
    return private, write(tmp_path / "allowed_signers", f'"Ana Lima" {public}')


def sign(review: str, *options: str, role: str = "lead") -> None:
    ok("signoff", review, "--role", role, "--name", "Ana Lima", "--decision", "approved",
       "--override", "test", *options)  # fmt: skip


def since_plan(tmp_path: Path, *sign_options: str) -> tuple[str, Path]:
    """TCV 6,000,000 at milestone `validation` (signed first when options are given),
    4,000,000 now; exported with --since validation."""
    review = ok("new", "deal", "--title", "Acme")
    ok("set", review, "tcv=6M", "quality=2")
    if sign_options:
        sign(review, *sign_options)
    ok("milestone", review, "validation")
    ok("set", review, "tcv=4M", "quality=3")
    plan = tmp_path / "plan.md"
    ok("export", review, "--since", "validation", "-o", str(plan))
    return review, plan


def verify(*args: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = gb("verify", *args, "--format", "json")
    return code, json.loads(out), err


def block(text: str) -> tuple[int, int]:
    start = text.index("```json gatebook-data\n")
    return start, text.index("\n```\n", start) + len("\n```\n")


def with_data(plan: Path, mutate: Callable[[dict[str, Any]], None], *, digests: bool) -> Path:
    """The plan with its data block changed; `digests`: the milestone's and the
    block's digests recomputed, as an attacker who read the contract would."""
    text = plan.read_text()
    data = parse_plan(text).data
    mutate(data)
    if digests:
        if isinstance(data.get("since"), dict) and "digest" in data["since"]:
            data["since"]["digest"] = digest_of_frozen(data["since"])
        data["block_digest"] = block_digest(data)
    start, end = block(text)
    forged = plan.with_name("forged.md")
    forged.write_text(text[:start] + data_block(data) + text[end:])
    return forged


def rerendered(plan: Path, mutate: Callable[[dict[str, Any]], None]) -> str:
    """The plan re-rendered with gatebook's own code after `mutate` changed the data
    block (the milestone's digest recomputed): every digest and the text agree."""
    parsed = parse_plan(plan.read_text())
    mutate(parsed.data)
    milestone = parsed.data["since"]
    milestone["digest"] = digest_of_frozen(milestone)
    review = review_from_data(parsed.data, FIXED_TIME)
    questionnaire = plan_questionnaire(parsed, str(plan))
    assert questionnaire is not None
    chapter = since_chapter_data(milestone, review, questionnaire)
    return render_plan(review, questionnaire, bound_since=BoundSince(milestone, chapter))


def set_tcv(value: int) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        data["since"]["content"]["answers"]["tcv"] = value

    return mutate


# ---- the since chapter is bound -----------------------------------------------------


def test_export_since_writes_format_5_with_the_stored_milestone_and_a_two_point_chart(
    tmp_path: Path, isolated_home: Path
) -> None:
    review, plan = since_plan(tmp_path)
    text = plan.read_text()
    data = parse_plan(text).data
    stored = json.loads((isolated_home / "milestones" / review / "validation.json").read_text())
    assert data["gatebook_plan"] == 5 and data["since"] == stored
    assert data["block_digest"] == block_digest(data)
    assert 'x-axis ["validation", "now"]' in text and "line [50, 75]" in text
    assert "| Answer | Total value | \\$6,000,000 | \\$4,000,000 |" in text
    code, report, _ = verify(str(plan))
    assert code == 0 and report["ok"]
    assert report["notes"] == [
        f"since chapter: milestone validation is not signed (taken {stored['time']} by tester)"
    ]
    code, out, _ = gb("verify", str(plan))
    assert code == 0 and f"{plan}: since chapter: milestone validation is not signed" in out


def test_the_chapter_and_its_data_changed_together_fail(tmp_path: Path) -> None:
    """TCV "from" 6,000,000 -> 1,000,000 in the chapter and in the milestone the block
    carries: each digest the attacker did not recompute fails; with every digest
    recomputed the milestone is no longer signed, and verify says so."""
    _, plan = since_plan(tmp_path)
    edited = plan.read_text().replace("\\$6,000,000 | \\$4", "\\$1,000,000 | \\$4")
    assert edited != plan.read_text()
    plan.write_text(edited)
    code, out, err = gb("verify", str(plan))
    assert code == 1 and "text CHANGED" in out and "line " in err and "1,000,000" in err
    forged = with_data(plan, set_tcv(1_000_000), digests=False)
    code, out, err = gb("verify", str(forged))
    assert code == 1 and "since chapter: milestone validation: changed" in err
    assert "the data block changed" in err

    def tcv_and_milestone_digest(data: dict[str, Any]) -> None:
        set_tcv(1_000_000)(data)
        data["since"]["digest"] = digest_of_frozen(data["since"])

    forged = with_data(plan, tcv_and_milestone_digest, digests=False)
    code, _, err = gb("verify", str(forged))
    assert code == 1 and "the data block changed" in err


@needs_ssh
def test_a_signed_milestone_says_so_and_a_recomputed_forgery_is_not_signed(
    tmp_path: Path, key: tuple[Path, Path]
) -> None:
    private, allowed = key
    review, plan = since_plan(tmp_path, "--sign-key", str(private))
    sign(review, "--sign-key", str(private))  # the plan's own sign-off, of the review now
    ok("export", review, "--since", "validation", "-o", str(plan))
    code, report, _ = verify(str(plan), "--allowed-signers", str(allowed))
    assert code == 0, report
    assert report["notes"] == ["since chapter: milestone validation is signed (lead by Ana Lima)"]
    code, report, _ = verify(str(plan))  # unchecked: not counted as signed
    assert code == 0 and report["notes"][0].startswith(
        "since chapter: milestone validation is not signed (taken "
    )
    forged = plan.with_name("forged.md")
    forged.write_text(rerendered(plan, set_tcv(1_000_000)))  # every digest recomputed
    assert "| \\$1,000,000 | \\$4,000,000 |" in forged.read_text()
    code, report, _ = verify(str(forged), "--allowed-signers", str(allowed))
    assert code == 0 and report["body_ok"] and report["digest_ok"]
    assert report["notes"][0].startswith("since chapter: milestone validation is not signed")
    assert report["notes"][0].endswith(" by tester)")


def test_the_stored_evaluation_is_never_trusted(tmp_path: Path) -> None:
    """A milestone whose stored score says 99 (digests recomputed) still charts what
    its frozen answers score: a chart of 99 fails."""

    def score_99(data: dict[str, Any]) -> None:
        data["since"]["evaluation"]["overall"] = 99.0

    _, plan = since_plan(tmp_path)
    forged = with_data(plan, score_99, digests=True)
    code, _, err = gb("verify", str(forged))
    assert code == 0, err  # the chapter is derived: the stored 99 shows nowhere
    forged.write_text(forged.read_text().replace("line [50, 75]", "line [99, 75]"))
    code, _, err = gb("verify", str(forged))
    assert code == 1 and "line [99, 75]" in err


@needs_ssh
def test_a_signed_plan_given_an_invented_since_chapter_fails(
    tmp_path: Path, key: tuple[Path, Path]
) -> None:
    private, allowed = key
    review, since = since_plan(tmp_path)
    other = ok("new", "deal", "--title", "Acme")
    ok("set", other, "tcv=4M", "quality=3")
    sign(other, "--sign-key", str(private))
    plan = tmp_path / "signed.md"
    ok("export", other, "-o", str(plan))
    code, _, _ = gb("verify", str(plan), "--allowed-signers", str(allowed))
    assert code == 0
    chapter = since.read_text()
    chapter = chapter[chapter.index("## Since milestone") : chapter.index("<details>")]
    text = plan.read_text()
    invented = text.replace("<details>", chapter + "<details>")
    plan.write_text(invented)
    code, _, _ = gb("verify", str(plan), "--allowed-signers", str(allowed))
    assert code == 1  # the text alone
    milestone = parse_plan(since.read_text()).data["since"]

    def spliced(data: dict[str, Any]) -> None:
        data["since"] = milestone  # another review's milestone, digests recomputed

    code, _, err = gb("verify", str(with_data(plan, spliced, digests=True)))
    assert code == 1 and f"milestone of review {review!r}" in err

    def format_4_shaped(data: dict[str, Any]) -> None:
        data["since"] = parse_plan((GOLDEN / "v4" / "oqr-since.md").read_text()).data["since"]

    code, _, err = gb("verify", str(with_data(plan, format_4_shaped, digests=True)))
    assert code == 1 and "not a gatebook milestone file" in err


def test_the_milestone_of_another_review_or_garbage_fails_never_a_traceback(
    tmp_path: Path,
) -> None:
    _, plan = since_plan(tmp_path)

    def renamed(data: dict[str, Any]) -> None:
        data["since"]["review"] = "deal-999999"

    def reshaped(data: dict[str, Any]) -> None:
        data["since"]["content"] = "nope"

    def bad_answers(data: dict[str, Any]) -> None:
        data["since"]["content"]["answers"] = {"`x`": 1}

    def listed(data: dict[str, Any]) -> None:
        data["since"] = [1, 2]

    for mutate, said in [
        (renamed, "milestone of review 'deal-999999'"),
        (reshaped, "not shaped as a milestone"),
        (bad_answers, "String should match pattern"),
        (listed, "not a gatebook milestone file"),
    ]:
        code, _, err = gb("verify", str(with_data(plan, mutate, digests=True)))
        assert code == 1 and said in err, err


# ---- older formats ------------------------------------------------------------------


@pytest.mark.parametrize("questionnaire_id", ["oqr", "pesa", "s2d", "okr-intake"])
def test_format_3_golden_plans_verify_exactly_as_before(questionnaire_id: str) -> None:
    code, report, _ = verify(str(GOLDEN / "v3" / f"{questionnaire_id}.md"))
    assert code == 0 and report["ok"] and report["notes"] == [] and "bound" not in report


def test_a_format_4_plan_verifies_and_says_it_binds_nothing() -> None:
    golden = str(GOLDEN / "v4" / "oqr-since.md")
    code, out, _ = gb("verify", golden)
    assert code == 0 and f"{golden}: {FORMAT_4_NOTE}" in out
    assert f"{golden}: OK (digest ok, text ok)" in out
    code, report, _ = verify(golden)
    assert code == 0 and report["notes"] == [FORMAT_4_NOTE] and report["bound"] is False
    code, out, _ = gb("verify", str(GOLDEN / "v3" / "oqr.md"), golden, "--format", "json")
    listed = json.loads(out)
    assert code == 0 and [entry["notes"] for entry in listed] == [[], [FORMAT_4_NOTE]]


# ---- verify --require-signatures ----------------------------------------------------


def test_require_signatures_needs_allowed_signers(tmp_path: Path) -> None:
    _, plan = since_plan(tmp_path)
    code, out, err = gb("verify", str(plan), "--require-signatures")
    assert code == 2 and "--require-signatures needs --allowed-signers" in err and not out


@needs_ssh
def test_require_signatures_exit_codes(tmp_path: Path, key: tuple[Path, Path]) -> None:
    private, allowed = key
    review = ok("new", "deal", "--title", "Acme")
    ok("set", review, "tcv=4M", "quality=3")
    plan = tmp_path / "plan.md"
    ok("export", review, "-o", str(plan))
    strict = ("--allowed-signers", str(allowed), "--require-signatures")
    code, _, err = gb("verify", str(plan), *strict)
    assert code == 1 and "required role lead has no sign-off" in err
    assert gb("verify", str(plan), "--allowed-signers", str(allowed))[0] == 0
    sign(review, "--no-sign")
    ok("export", review, "-o", str(plan))
    code, report, _ = verify(str(plan), *strict)
    assert code == 1 and not report["ok"]
    sign(review, "--sign-key", str(private))
    ok("export", review, "-o", str(plan))
    code, report, _ = verify(str(plan), *strict)
    assert code == 0 and report["ok"], report
    # the same signed review in format 4 (a since chapter bound by nothing)
    parsed = parse_plan(plan.read_text())
    questionnaire = plan_questionnaire(parsed, str(plan))
    assert questionnaire is not None
    since = parse_plan((GOLDEN / "v4" / "oqr-since.md").read_text()).data["since"]
    since["diff"]["answers"] = []
    old = tmp_path / "format-4.md"
    old.write_text(
        render_plan(
            review_from_data(parsed.data, FIXED_TIME), questionnaire, plan_format=4, since=since
        )
    )
    assert gb("verify", str(old), "--allowed-signers", str(allowed))[0] == 0
    code, out, err = gb("verify", str(old), *strict)
    assert code == 1 and "not bound" in err and FORMAT_4_NOTE in out


@needs_ssh
def test_an_unchecked_signature_says_so_and_the_state_word_stays(
    tmp_path: Path, key: tuple[Path, Path]
) -> None:
    private, _ = key
    review = ok("new", "deal", "--title", "Acme")
    sign(review, "--sign-key", str(private))
    plan = tmp_path / "plan.md"
    ok("export", review, "-o", str(plan))
    code, out, _ = gb("verify", str(plan))
    assert code == 0
    assert f"{plan}: sign-off lead by Ana Lima (approved): unchecked — signature not checked" in (
        out.splitlines()
    )
    code, report, _ = verify(str(plan))
    assert [s["state"] for s in report["signoffs"]] == ["unchecked"]


# ---- the register's From column -----------------------------------------------------


def test_carried_rows_show_where_they_came_from(tmp_path: Path) -> None:
    engagement = ok("engagement", "new", "Acme")
    first = ok("new", "deal", "--title", "One", "--engagement", engagement)
    ok("set", first, "tcv=6M")
    second = ok("new", "sow", "--title", "Two", "--engagement", engagement)
    text = ok("export", second)
    assert "| Status | From |" in text
    assert f"| open | `{first}/big` |" in text
    assert "From" not in ok("export", first)  # no carried row: no column
    plan = tmp_path / "plan.md"
    ok("export", second, "-o", str(plan))
    assert gb("verify", str(plan))[0] == 0


# ---- import -------------------------------------------------------------------------


def test_import_of_a_format_5_plan_checks_as_verify_does(tmp_path: Path) -> None:
    review, plan = since_plan(tmp_path)
    imported = ok("import", str(plan))
    assert imported != review and ok("export", imported).count("## Since") == 0
    forged = with_data(plan, set_tcv(1_000_000), digests=False)
    code, _, err = gb("import", str(forged), "--force")
    assert code == 1 and "nothing was written" in err
    forged = with_data(plan, set_tcv(1_000_000), digests=True)  # chapter not re-rendered
    code, _, err = gb("import", str(forged))
    assert code == 1 and "nothing was written" in err
    edited = plan.with_name("edited.md")
    edited.write_text(plan.read_text().replace("## Since milestone", "## Since MILESTONE"))
    code, _, err = gb("import", str(edited))
    assert code == 1
    code, out, err = gb("import", str(edited), "--force")
    assert code == 0 and "edited by hand" in err and out.strip()


def test_export_since_refuses_a_milestone_verify_would_refuse(
    tmp_path: Path, isolated_home: Path
) -> None:
    """A stored milestone with `author: null` (its digest recomputed) is named as
    damaged, exit 1, and no plan is written: export never writes what verify fails."""
    review = ok("new", "deal", "--title", "Acme")
    ok("set", review, "tcv=6M")
    ok("milestone", review, "validation")
    path = isolated_home / "milestones" / review / "validation.json"
    data = json.loads(path.read_text())
    data["author"] = None
    data["digest"] = digest_of_frozen(data)
    path.chmod(0o644)
    path.write_text(json.dumps(data))
    plan = tmp_path / "plan.md"
    code, _, err = gb("export", review, "--since", "validation", "-o", str(plan))
    assert code == 1 and str(path) in err and "damaged" in err
    assert not plan.exists()


def reviews_on_disk(home: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((home / "reviews").glob("*.json"))}


def test_a_since_of_null_fails_with_a_reason_and_imports_nothing(
    tmp_path: Path, isolated_home: Path
) -> None:
    """`since: null` with the block digest recomputed: the chapter is no longer derived,
    so the text differs; verify says why (never a bare FAILED) and import writes nothing."""

    def no_milestone(data: dict[str, Any]) -> None:
        data["since"] = None

    _, plan = since_plan(tmp_path)
    forged = with_data(plan, no_milestone, digests=True)
    code, out, err = gb("verify", str(forged))
    assert code == 1 and "FAILED" in out
    assert "since chapter: the data block's `since` is null" in err, err
    before = reviews_on_disk(isolated_home)
    for force in ([], ["--force"]):
        code, _, err = gb("import", str(forged), *force)
        assert code == 1 and "nothing was written" in err, err
        assert reviews_on_disk(isolated_home) == before


@needs_ssh
def test_a_milestone_dated_before_the_sign_off_it_holds_is_not_signed(
    tmp_path: Path, key: tuple[Path, Path]
) -> None:
    """A milestone cannot hold a sign-off made after it was taken: one dated earlier
    (a signed state replayed as an older milestone, every digest recomputed) is not
    counted as signed."""
    private, allowed = key
    review, plan = since_plan(tmp_path, "--sign-key", str(private))
    sign(review, "--sign-key", str(private))
    ok("export", review, "--since", "validation", "-o", str(plan))

    def backdated(data: dict[str, Any]) -> None:
        data["since"]["time"] = "2020-01-01T00:00:00Z"

    forged = plan.with_name("forged.md")
    forged.write_text(rerendered(plan, backdated))
    code, report, _ = verify(str(forged), "--allowed-signers", str(allowed))
    assert code == 0 and report["body_ok"] and report["digest_ok"]
    assert report["notes"] == [
        "since chapter: milestone validation is not signed (taken 2020-01-01T00:00:00Z by tester)"
    ]


@pytest.mark.parametrize("number", [6, 0, "5", 5.0, True, None])
def test_a_format_number_gatebook_never_wrote_is_exit_2(tmp_path: Path, number: Any) -> None:
    """`true` is not format 1 and `5.0` is not format 5: only the integers gatebook
    writes are formats."""

    def renumbered(data: dict[str, Any]) -> None:
        data["gatebook_plan"] = number

    _, plan = since_plan(tmp_path)
    forged = with_data(plan, renumbered, digests=True)
    for command in ("verify", "import"):
        code, _, err = gb(command, str(forged))
        assert code == 2 and "unknown data block format" in err, (command, err)


def test_a_format_1_plan_naming_a_file_as_its_questionnaire_opens_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A format-1 plan does not carry its questionnaire; its id `x.yaml` would be read
    as a path in the folder verify runs in. Refused as a name, never opened."""
    from gatebook.store.canonical import digest_of

    text = (GOLDEN / "v1" / "oqr.md").read_text()
    data = parse_plan(text).data
    data["content"]["questionnaire"] = "x.yaml"
    data["digest"] = digest_of(data["content"])
    start, end = (
        text.index("```json gatebook-data\n"),
        text.index("\n```\n", text.index("```json gatebook-data\n")) + 5,
    )
    plan = write(tmp_path / "v1x.md", text[:start] + data_block(data) + text[end:])
    write(tmp_path / "x.yaml", "id: x\ntitle: [unclosed\n")
    monkeypatch.chdir(tmp_path)
    for command in ("verify", "import"):
        code, _, err = gb(command, str(plan))
        assert code == 2 and "cannot read YAML" not in err, err
        assert "questionnaire: 'x.yaml' reads as a file name" in err, err
    assert not (tmp_path / "home" / "reviews").exists()
