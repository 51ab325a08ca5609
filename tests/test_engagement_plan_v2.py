"""Combined plans, format 2 (issue 31: `verify` says OK only for bytes bound by a
digest): every attack on a combined plan fails with exit 1 naming the line and the
member; format 1 says NOT BOUND; `engagement plan` refuses what it cannot bind."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gatebook.store.canonical import sha256_of

from .cli_support import gb, ok, show

GOLDEN_V1 = Path(__file__).parent / "golden" / "engagement" / "v1.md"
CHAPTER = re.compile(
    r"<!-- gatebook-member: (\S+) -->\n.*?<!-- gatebook-member-end: \1 -->\n", re.DOTALL
)
BLOCK = re.compile(r"(```json gatebook-engagement\n)(.*?)(\n```\n)", re.DOTALL)


def make_engagement(customer: str) -> tuple[str, str, str]:
    """An engagement with a signed OQR (signed with overrides while its Pre-Implementation
    Review fails, and the latest signed member: RED) and a PESA."""
    engagement = ok("engagement", "new", f"{customer} platform", "--customer", customer,
                    "--start", "2026-01-05")  # fmt: skip
    oqr = ok("new", "oqr", "--title", f"{customer} OQR", "--engagement", engagement)
    ok("set", oqr, "tcv_usd=6.2M", "production_access=yes", "regulated_data=pii,phi",
       "te_cutting_edge=3")  # fmt: skip
    ok("signoff", oqr, "--role", "engagement_lead", "--name", "Bo Lind", "--decision",
       "approved", "--no-sign", "--override", "fixture")  # fmt: skip
    ok("signoff", oqr, "--role", "reviewer", "--name", "Ana Lima", "--decision", "approved",
       "--no-sign", "--override", "fixture")  # fmt: skip
    pesa = ok("new", "pesa", "--title", f"{customer} PESA", "--engagement", engagement)
    return engagement, oqr, pesa


def plan_of(engagement: str, path: Path) -> str:
    ok("engagement", "plan", engagement, "-o", str(path))
    return path.read_text(encoding="utf-8")


def chapters(text: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in CHAPTER.finditer(text)}


def summary_of(text: str) -> str:
    return text[: text.index("\n<!-- gatebook-member:") + 1]


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def block(text: str) -> dict[str, Any]:
    found = BLOCK.search(text)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(2))
    return data


def with_block(text: str, data: dict[str, Any], *, rehash: bool) -> str:
    """The plan with its engagement data block replaced (digest recomputed or not)."""
    if rehash:
        old = block(text)["digest"]
        data["digest"] = sha256_of(data["content"])
        text = text.replace(old, data["digest"])
    body = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    for char, escaped in {"`": "\\u0060", "<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}.items():
        body = body.replace(char, escaped)
    return BLOCK.sub(lambda m: m.group(1) + body + m.group(3), text, count=1)


def verify_fails(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    code, out, err = gb("verify", str(path))
    assert code == 1, out + err
    return out + err


@pytest.fixture
def acme(tmp_path: Path) -> dict[str, Any]:
    engagement, oqr, pesa = make_engagement("Acme")
    text = plan_of(engagement, tmp_path / "acme.md")
    return {"engagement": engagement, "oqr": oqr, "pesa": pesa, "text": text}


def test_a_fresh_plan_is_format_2_binds_its_members_and_verifies(
    acme: dict[str, Any], tmp_path: Path
) -> None:
    text = acme["text"]
    data = block(text)
    assert data["gatebook_engagement"] == 2 and data["digest"] == sha256_of(data["content"])
    content = data["content"]
    assert {"as_of", "start", "overrides", "shared", "members"} <= set(content)
    assert content["start"] == "2026-01-05" and re.fullmatch(r"\d{4}-\d\d-\d\d", content["as_of"])
    assert [m["id"] for m in content["members"]] == [acme["oqr"], acme["pesa"]]
    first = content["members"][0]
    assert set(first) == {"id", "questionnaire", "stage", "digest", "plan_digest"}
    assert first["stage"] == "validation" and first["digest"] == show(acme["oqr"])["digest"]
    assert content["shared"]["tcv_usd"] == {"type": "money", "labels": {}, "value": 6200000}
    code, out, err = gb("verify", str(tmp_path / "acme.md"), "--format", "json")
    assert code == 0, out + err
    entries = json.loads(out)
    assert entries[-1] == {**entries[-1], "plan": f"{tmp_path / 'acme.md'}#{acme['engagement']}",
                           "ok": True, "bound": True}  # fmt: skip


def test_two_renders_are_byte_identical(acme: dict[str, Any], tmp_path: Path) -> None:
    again = plan_of(acme["engagement"], tmp_path / "again.md")
    assert again == acme["text"]


def test_the_plan_reads_as_the_app_shows_values(acme: dict[str, Any]) -> None:
    text = acme["text"]
    summary = summary_of(text)
    assert "| Total contract value (USD) (`tcv_usd`) | $6,200,000 |" in summary
    assert "PII (personal data), PHI (health data)" in summary
    assert "```yaml gatebook-front-matter" not in text
    oqr_chapter = chapters(text)[acme["oqr"]]
    assert "| Title | Questionnaire | Status | Sign-offs |" in oqr_chapter
    assert "| Acme OQR | `oqr` 3.0.0 | signed | engagement\\_lead: Bo Lind, approved" in oqr_chapter
    assert 'x-axis ["Acme OQR", "Acme PESA"]' in summary


def test_chart_axes_are_escaped_titles_with_repeats_numbered(tmp_path: Path) -> None:
    engagement = ok("engagement", "new", "Titles")
    title = 'Q1 "big" #1 `x` <b>'
    for _ in range(2):
        ok("new", "oqr", "--title", title, "--engagement", engagement)
    text = plan_of(engagement, tmp_path / "titles.md")
    label = "Q1 #quot;big#quot; #35;1 #96;x#96; #lt;b#gt;"
    assert f'x-axis ["{label}", "{label} (2)"]' in text
    assert gb("verify", str(tmp_path / "titles.md"))[0] == 0


def test_an_empty_multichoice_shares_as_none(tmp_path: Path) -> None:
    engagement = ok("engagement", "new", "Nothing regulated")
    answers = tmp_path / "answers.yaml"
    answers.write_text("regulated_data: []\n")
    ok("new", "oqr", "--title", "OQR", "--engagement", engagement, "--answers", str(answers))
    text = plan_of(engagement, tmp_path / "none.md")
    assert re.search(r"\(`regulated_data`\) \| \(none\) \|", text)
    assert block(text)["content"]["shared"]["regulated_data"]["value"] == []


def test_a_signed_member_that_kept_its_value_is_named(acme: dict[str, Any], tmp_path: Path) -> None:
    code, _, err = gb("set", acme["pesa"], "production_access=no")
    assert code == 0 and f"{acme['oqr']}: kept its value of production_access" in err
    text = plan_of(acme["engagement"], tmp_path / "kept.md")
    row = f"(`production_access`) | No<br>*differs in* `{acme['oqr']}`: Yes |"
    assert row in text
    assert block(text)["content"]["shared"]["production_access"]["value"] is False
    assert gb("verify", str(tmp_path / "kept.md"))[0] == 0


# ---- the attacks of issue 31 ---------------------------------------------------------------


def test_a_member_removed_fails_naming_the_line_and_member(
    acme: dict[str, Any], tmp_path: Path
) -> None:
    text = acme["text"]
    pesa = chapters(text)[acme["pesa"]]
    removed = text.replace("\n" + pesa, "")
    said = verify_fails(tmp_path / "x.md", removed)
    where = removed.count("\n")  # the last line, after which it is missing
    assert f"line {where}: member {acme['pesa']} is missing" in said


def test_every_member_removed_fails(acme: dict[str, Any], tmp_path: Path) -> None:
    said = verify_fails(tmp_path / "x.md", summary_of(acme["text"]))
    assert (
        f"member {acme['oqr']} is missing" in said and f"member {acme['pesa']} is missing" in said
    )
    assert re.search(r"line \d+: member", said)


def test_every_member_removed_from_the_block_too_fails(
    acme: dict[str, Any], tmp_path: Path
) -> None:
    data = block(acme["text"])
    data["content"]["members"] = []
    said = verify_fails(tmp_path / "x.md", with_block(summary_of(acme["text"]), data, rehash=True))
    assert "lists no members" in said and re.search(r"line \d+: ", said)


def test_a_member_duplicated_fails(acme: dict[str, Any], tmp_path: Path) -> None:
    text = acme["text"]
    oqr = chapters(text)[acme["oqr"]]
    said = verify_fails(tmp_path / "x.md", text + "\n" + oqr)
    where = text.count("\n") + 2
    assert f"line {where}: member {acme['oqr']} appears a second time" in said


def test_members_reordered_fail(acme: dict[str, Any], tmp_path: Path) -> None:
    text = acme["text"]
    found = chapters(text)
    swapped = summary_of(text) + "\n" + found[acme["pesa"]] + "\n" + found[acme["oqr"]]
    said = verify_fails(tmp_path / "x.md", swapped)
    where = line_of(swapped, found[acme["pesa"]])
    assert f"line {where}: member {acme['pesa']} is out of order" in said


def test_another_engagements_review_spliced_under_a_member_marker_fails(
    acme: dict[str, Any], tmp_path: Path
) -> None:
    other, other_oqr, _ = make_engagement("Acme")  # same customer, same titles
    other_text = plan_of(other, tmp_path / "other.md")
    stolen = (
        chapters(other_text)[other_oqr]
        .replace(f"gatebook-member: {other_oqr} ", f"gatebook-member: {acme['oqr']} ")
        .replace(f"gatebook-member-end: {other_oqr} ", f"gatebook-member-end: {acme['oqr']} ")
    )
    text = acme["text"]
    spliced = text.replace(chapters(text)[acme["oqr"]], stolen)
    said = verify_fails(tmp_path / "x.md", spliced)
    where = line_of(spliced, stolen)
    assert f"line {where}: member {acme['oqr']}: the chapter holds review {other_oqr}" in said
    assert f"line {where}: member {acme['oqr']}: its review digest is not the one" in said


def test_text_appended_fails(acme: dict[str, Any], tmp_path: Path) -> None:
    text = acme["text"]
    said = verify_fails(tmp_path / "x.md", text + "\nThe customer accepted every risk.\n")
    assert f"line {text.count(chr(10)) + 2}: text stands outside the summary" in said


def test_text_between_members_fails(acme: dict[str, Any], tmp_path: Path) -> None:
    text = acme["text"]
    pesa = chapters(text)[acme["pesa"]]
    said = verify_fails(tmp_path / "x.md", text.replace(pesa, "Approved by the board.\n\n" + pesa))
    assert f"line {line_of(text, pesa)}: text stands outside" in said


def test_a_member_changed_fails_naming_the_line(acme: dict[str, Any], tmp_path: Path) -> None:
    text = acme["text"]
    oqr = chapters(text)[acme["oqr"]]
    edited = oqr.replace("\n# Acme OQR\n", "\n# Acme OQR (approved)\n", 1)
    changed = text.replace(oqr, edited)
    said = verify_fails(tmp_path / "x.md", changed)
    where = line_of(changed, "# Acme OQR (approved)")
    assert f"x.md#{acme['oqr']}: FAILED: the text differs" in said
    assert f"line {where}: expected '# Acme OQR'" in said
    assert f"member {acme['oqr']}: plan_digest differs" in said


def test_a_members_table_changed_fails(acme: dict[str, Any], tmp_path: Path) -> None:
    text = acme["text"]
    changed = text.replace("| signed | engagement\\_lead", "| draft | engagement\\_lead", 1)
    said = verify_fails(tmp_path / "x.md", changed)
    where = line_of(changed, "| draft | engagement\\_lead")
    assert f"line {where}: member {acme['oqr']}: expected" in said
    assert f"{tmp_path / 'x.md'}#{acme['oqr']}: FAILED: the text differs" in said


def test_the_summary_rewritten_green_with_a_recomputed_digest_fails(
    acme: dict[str, Any], tmp_path: Path
) -> None:
    text = acme["text"]
    assert "- Status: **RED**" in text
    summary = summary_of(text)
    green = re.sub(r"- Status: \*\*RED\*\*\n(  - .*\n)*", "- Status: **GREEN**\n", summary)
    green = green.replace('status: "red"', 'status: "green"')
    data = block(text)
    data["content"]["as_of"] = "2026-01-06"
    data["content"]["status"] = "green"  # as format 1 carried it
    forged = with_block(green, data, rehash=True) + text[len(summary) :]
    said = verify_fails(tmp_path / "x.md", forged)
    assert f"line {line_of(forged, 'status: ')}: the summary is not what" in said
    assert "'status: \"red\"'" in said


def test_a_key_added_to_the_block_fails_naming_its_line(
    acme: dict[str, Any], tmp_path: Path
) -> None:
    text = acme["text"]
    data = block(text)
    data["content"]["approved"] = True
    forged = with_block(text, data, rehash=True)
    said = verify_fails(tmp_path / "x.md", forged)
    where = line_of(forged, '  "approved": true')
    assert f"line {where}: the summary is not what" in said


def test_the_block_edited_without_its_digest_fails(acme: dict[str, Any], tmp_path: Path) -> None:
    text = acme["text"]
    data = block(text)
    data["content"]["start"] = "2025-01-05"
    forged = with_block(text, data, rehash=False)
    said = verify_fails(tmp_path / "x.md", forged)
    where = line_of(forged, "```json gatebook-engagement")
    assert f"line {where}: the engagement data block changed" in said


def test_a_members_stage_edited_in_the_block_with_its_digest_fails(
    acme: dict[str, Any], tmp_path: Path
) -> None:
    text = acme["text"]
    data = block(text)
    data["content"]["members"][1]["stage"] = "validation"
    said = verify_fails(tmp_path / "x.md", with_block(text, data, rehash=True))
    assert re.search(r"line \d+: the summary is not what its members and data block give", said)


def test_a_members_digest_edited_in_the_block_names_the_member(
    acme: dict[str, Any], tmp_path: Path
) -> None:
    text = acme["text"]
    data = block(text)
    data["content"]["members"][1]["plan_digest"] = "sha256:" + "0" * 64
    forged = with_block(text, data, rehash=True)
    said = verify_fails(tmp_path / "x.md", forged)
    where = line_of(forged, f"<!-- gatebook-member: {acme['pesa']} -->")
    assert f"line {where}: member {acme['pesa']}: plan_digest differs" in said


def test_a_shared_fact_changed_in_the_block_with_its_digest_fails(
    acme: dict[str, Any], tmp_path: Path
) -> None:
    text = acme["text"]
    data = block(text)
    data["content"]["shared"]["tcv_usd"]["value"] = 1000000
    forged = with_block(text, data, rehash=True).replace("$6,200,000", "$1,000,000")
    said = verify_fails(tmp_path / "x.md", forged)
    assert re.search(r"line \d+: shared fact tcv_usd: the block says 1000000, the members", said)


def test_a_member_edited_by_hand_imports_only_with_force(
    acme: dict[str, Any], tmp_path: Path
) -> None:
    text = acme["text"]
    path = tmp_path / "x.md"
    path.write_text(text.replace("\n# Acme OQR\n", "\n# Acme OQR (edited)\n", 1))
    code, _, err = gb("import", str(path))
    assert code == 1 and "nothing was written" in err
    imported = ok("import", str(path), "--force")
    shown = json.loads(ok("engagement", "show", imported, "--format", "json"))
    assert [r["title"] for r in shown["reviews"]] == ["Acme OQR", "Acme PESA"]


def test_an_edited_plan_imports_nothing(
    acme: dict[str, Any], tmp_path: Path, isolated_home: Path
) -> None:
    text = acme["text"]
    path = tmp_path / "x.md"
    path.write_text(text + "\nappended\n", encoding="utf-8")
    before = sorted(p.name for p in (isolated_home / "reviews").iterdir())
    for extra in ((), ("--force",)):
        code, _, err = gb("import", str(path), *extra)
        assert code == 1 and "nothing was written" in err and "stands outside" in err
    assert sorted(p.name for p in (isolated_home / "reviews").iterdir()) == before


def test_import_restores_a_format_2_plan(acme: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "acme.md"
    imported = ok("import", str(path))
    shown = json.loads(ok("engagement", "show", imported, "--format", "json"))
    assert [r["title"] for r in shown["reviews"]] == ["Acme OQR", "Acme PESA"]
    assert shown["shared"]["tcv_usd"] == 6200000 and shown["customer"] == "Acme"
    assert shown["status"] == "red"


# ---- format 1 -------------------------------------------------------------------------------


def test_a_format_1_plan_verifies_its_members_and_is_not_bound(tmp_path: Path) -> None:
    path = tmp_path / "v1.md"
    shutil.copyfile(GOLDEN_V1, path)
    code, out, err = gb("verify", str(path))
    assert code == 0, out + err
    assert f"{path}#oqr-3ab879: OK (digest ok, text ok)" in out
    assert f"{path}#pesa-8a8083: OK (digest ok, text ok)" in out
    assert (
        f"{path}#eng-722704: NOT BOUND (format 1 binds neither members nor summary; re-export)"
        in out
    )
    entries = json.loads(ok("verify", str(path), "--format", "json"))
    assert entries[-1]["bound"] is False and entries[-1]["ok"] is True
    assert all("bound" not in entry for entry in entries[:-1])


def test_a_format_1_summary_that_lost_its_block_still_fails(tmp_path: Path) -> None:
    path = tmp_path / "v1.md"
    path.write_text(GOLDEN_V1.read_text().replace("**RED**", "**GREEN**", 1))
    code, out, _ = gb("verify", str(path))
    assert code == 1 and f"{path}#eng-722704: FAILED" in out


def test_a_format_1_plan_still_imports(tmp_path: Path) -> None:
    imported = ok("import", str(GOLDEN_V1))
    shown = json.loads(ok("engagement", "show", imported, "--format", "json"))
    assert len(shown["reviews"]) == 2 and shown["customer"] == "Acme"


# ---- what engagement plan refuses ---------------------------------------------------------------


def test_an_engagement_without_members_is_refused(tmp_path: Path) -> None:
    engagement = ok("engagement", "new", "Empty")
    code, out, err = gb("engagement", "plan", engagement, "-o", str(tmp_path / "e.md"))
    assert code == 1 and "has no members" in err and out == ""
    assert not (tmp_path / "e.md").exists()


def test_a_damaged_member_is_refused_by_name(tmp_path: Path, isolated_home: Path) -> None:
    engagement, oqr, _ = make_engagement("Acme")
    review_file = isolated_home / "reviews" / f"{oqr}.json"
    review_file.write_bytes(review_file.read_bytes()[:200])
    code, _, err = gb("engagement", "plan", engagement, "-o", str(tmp_path / "e.md"))
    assert code == 1 and f"member {oqr} cannot be read" in err
    assert not (tmp_path / "e.md").exists()


def test_a_member_with_open_conflicts_is_refused_listing_them(
    tmp_path: Path, isolated_home: Path
) -> None:
    engagement, oqr, _ = make_engagement("Acme")
    review_file = isolated_home / "reviews" / f"{oqr}.json"
    record = json.loads(review_file.read_text())
    conflict = {"field": "answers.tcv_usd", "base": 1, "ours": 2, "theirs": 3}
    record["review"]["1"]["conflicts"] = [conflict]
    review_file.write_text(json.dumps(record))
    code, _, err = gb("engagement", "plan", engagement)
    assert code == 1 and f"{oqr}: answers.tcv_usd" in err and "open conflicts" in err


def test_a_member_whose_plan_would_not_read_back_is_refused(
    tmp_path: Path, isolated_home: Path
) -> None:
    engagement, oqr, _ = make_engagement("Acme")
    review_file = isolated_home / "reviews" / f"{oqr}.json"
    record = json.loads(review_file.read_text())
    record["review"]["1"]["answers"]["not an id"] = 1
    review_file.write_text(json.dumps(record))
    code, _, err = gb("engagement", "plan", engagement, "-o", str(tmp_path / "e.md"))
    assert code == 1 and f"member {oqr} cannot be planned" in err
    assert not (tmp_path / "e.md").exists()


def test_a_members_data_block_edited_names_its_line_in_the_file(
    acme: dict[str, Any], tmp_path: Path
) -> None:
    text = acme["text"]
    oqr = chapters(text)[acme["oqr"]]
    edited = oqr.replace('"title": "Acme OQR"', '"title": "Acme OQR, approved"', 1)
    assert edited != oqr
    changed = text.replace(oqr, edited)
    said = verify_fails(tmp_path / "x.md", changed)
    fence = line_of(changed, edited) + edited[: edited.index("```json gatebook-data")].count("\n")
    assert f"x.md#{acme['oqr']}: FAILED: line {fence + 1}: the data block changed" in said


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")
def test_a_members_ssh_signature_is_checked_in_the_combined_plan(tmp_path: Path) -> None:
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "Ana Lima",
                    "-f", str(key)], check=True)  # fmt: skip
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f'"Ana Lima" {key.with_suffix(".pub").read_text()}')
    engagement = ok("engagement", "new", "Signed")
    oqr = ok("new", "oqr", "--title", "Signed OQR", "--engagement", engagement)
    ok("signoff", oqr, "--role", "reviewer", "--name", "Ana Lima", "--decision", "rejected",
       "--sign-key", str(key))  # fmt: skip
    path = tmp_path / "signed.md"
    text = plan_of(engagement, path)
    assert "reviewer: Ana Lima, rejected" in text and "(SSH-signed)" in text
    code, out, err = gb("verify", str(path), "--allowed-signers", str(allowed))
    assert code == 0, out + err
    assert f"{path}#{oqr}: sign-off reviewer by Ana Lima (rejected): valid" in out
    forged = text.replace("reviewer: Ana Lima, rejected", "reviewer: Ana Lima, approved")
    path.write_text(forged)
    code, out, err = gb("verify", str(path), "--allowed-signers", str(allowed))
    assert code == 1 and f"member {oqr}: expected" in err


def test_a_review_listed_twice_is_planned_once(
    acme: dict[str, Any], tmp_path: Path, isolated_home: Path
) -> None:
    path = isolated_home / "engagements" / f"{acme['engagement']}.json"
    record = json.loads(path.read_text())
    record["members"] = [acme["oqr"], acme["pesa"], acme["oqr"]]
    path.write_text(json.dumps(record))
    text = plan_of(acme["engagement"], tmp_path / "twice.md")
    assert list(chapters(text)) == [acme["oqr"], acme["pesa"]]
    assert text == acme["text"]


# ---- re-forged by an attacker who re-renders the summary with gatebook's own code ---------


def reforged(text: str, mutate: Any) -> str:
    """The plan after `mutate` edited its block's content, its summary re-rendered from
    the members' own chapters and its digest recomputed: every byte gatebook can check
    agrees, only what the block alone says changed."""
    from gatebook.engagement.plan import block_data, placed_member
    from gatebook.engagement.plan_read import read_combined
    from gatebook.engagement.plan_summary import PlanContent, derive, render_summary
    from gatebook.plan.document import parse_plan, plan_questionnaire, review_from_data

    combined = read_combined(text)
    mutate(combined.data["content"])
    content = PlanContent.model_validate(combined.data["content"])
    stages = {m.id: m.stage for m in content.members}
    members = []
    for chapter in combined.chapters:
        rest = chapter.inner[chapter.inner.index("\n\n", 1) + 1 : -1]
        parsed = parse_plan('---\ngatebook: "plan"\n---\n' + rest)
        questionnaire = plan_questionnaire(parsed, "x")
        assert questionnaire is not None
        review = review_from_data(parsed.data, now="")
        members.append(placed_member(chapter.id, stages[chapter.id], review, questionnaire))
    summary = render_summary(block_data(content), content, derive(content, members))
    return summary + text[len(combined.summary) :]


def test_reforged_without_a_change_is_the_plan(acme: dict[str, Any]) -> None:
    assert reforged(acme["text"], lambda content: None) == acme["text"]


def test_a_members_stage_reforged_fails_against_its_questionnaire(
    acme: dict[str, Any], tmp_path: Path
) -> None:
    """A DQI placed at `close` would drop "the latest DQI rates red": the stage is its
    questionnaire's (the one installed here), never the block's word alone."""

    def later_stage(content: dict[str, Any]) -> None:
        content["members"][1]["stage"] = "handover"

    forged = reforged(acme["text"], later_stage)
    assert "| handover | `" + acme["pesa"] in forged
    said = verify_fails(tmp_path / "x.md", forged)
    where = line_of(forged, f"<!-- gatebook-member: {acme['pesa']} -->")
    assert (
        f"line {where}: member {acme['pesa']}: the engagement data block places it at stage "
        "handover; its questionnaire pesa belongs to stage sow"
    ) in said
    assert "Traceback" not in said


def test_as_of_backdated_before_a_members_sign_off_fails(
    acme: dict[str, Any], tmp_path: Path
) -> None:
    """Backdating `as_of` would hide a risk past its due date: a plan is never dated
    before a sign-off it shows."""
    ok("risk", acme["pesa"], "production_access", "--due", "2026-02-01", "--status", "open")
    text = plan_of(acme["engagement"], tmp_path / "due.md")
    assert "past its due date 2026-02-01" in text

    def backdated(content: dict[str, Any]) -> None:
        content["as_of"] = "2026-01-20"

    forged = reforged(text, backdated)
    assert "past its due date" not in forged
    said = verify_fails(tmp_path / "x.md", forged)
    signed = show(acme["oqr"])["signoffs"][-1]["time"][:10]
    assert re.search(
        rf"line \d+: as_of 2026-01-20 is before {acme['oqr']}'s sign-off of {signed}", said
    ), said


@pytest.mark.parametrize("number", [3, 0, "2", 2.0, True])
def test_a_combined_format_number_gatebook_never_wrote_is_exit_2(
    acme: dict[str, Any], tmp_path: Path, number: Any
) -> None:
    data = block(acme["text"])
    data["gatebook_engagement"] = number
    path = tmp_path / "x.md"
    path.write_text(with_block(acme["text"], data, rehash=True))
    code, _, err = gb("verify", str(path))
    assert code == 2 and "gatebook_engagement: 1 or 2" in err, err


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda text: text.replace("\n", "\r\n"), ":1:4: the plan's lines end with CR LF"),
        (lambda text: "\ufeff" + text, ":1:1: the plan starts with a byte order mark"),
    ],
)
def test_crlf_or_a_bom_is_named_and_imports_nothing(
    acme: dict[str, Any], tmp_path: Path, isolated_home: Path, change: Any, said: str
) -> None:
    """What git's autocrlf or an editor does to a plan is named as that (exit 2), not
    as a plan with no front matter or two data blocks."""
    path = tmp_path / "x.md"
    path.write_bytes(change(acme["text"]).encode("utf-8"))
    before = sorted(p.name for p in (isolated_home / "reviews").iterdir())
    for command in ("verify", "import"):
        code, _, err = gb(command, str(path))
        assert code == 2 and f"{path}{said}" in err, err
    assert sorted(p.name for p in (isolated_home / "reviews").iterdir()) == before


def test_a_shared_fact_left_out_of_a_reforged_block_fails(
    acme: dict[str, Any], tmp_path: Path
) -> None:
    """Hiding `regulated_data` from the summary (block and summary re-rendered, digest
    recomputed): the shared facts are every question the members' questionnaires share
    that a member answered, as `engagement plan` writes them."""

    def hidden(content: dict[str, Any]) -> None:
        del content["shared"]["regulated_data"]

    forged = reforged(acme["text"], hidden)
    assert "PHI (health data)" not in summary_of(forged)
    said = verify_fails(tmp_path / "x.md", forged)
    assert re.search(
        r"line \d+: shared fact regulated_data is left out: the members' questionnaires "
        r"share it and a member holds a value",
        said,
    ), said


def test_a_member_marker_repeated_100_000_times_fails_without_hanging(
    acme: dict[str, Any], tmp_path: Path
) -> None:
    """Repeats are found in one pass (a quadratic scan took minutes): exit 1, naming the
    second appearance."""
    from .cli_support import run_gatebook_process

    path = tmp_path / "x.md"
    path.write_text(acme["text"] + f"<!-- gatebook-member: {acme['oqr']} -->\n" * 100_000)
    done = run_gatebook_process("verify", str(path), timeout=120)  # a hang guard only
    assert done.returncode == 1 and "Traceback" not in done.stderr
    second = acme["text"].count("\n") + 1
    assert f"line {second}: member {acme['oqr']} appears a second time" in done.stderr


def test_a_member_listed_twice_in_the_block_fails_without_a_traceback(
    acme: dict[str, Any], tmp_path: Path
) -> None:
    data = block(acme["text"])
    data["content"]["members"].append(dict(data["content"]["members"][0]))
    forged = with_block(acme["text"], data, rehash=True)
    said = verify_fails(tmp_path / "x.md", forged)
    where = line_of(forged, "```json gatebook-engagement")
    assert f"line {where}: the engagement data block lists member {acme['oqr']} twice" in said


@pytest.mark.parametrize(
    ("find", "replace", "said"),
    [
        ("```yaml gatebook-front-matter", "```yaml", "its front matter block is missing"),
        ('```json gatebook-data\n{\n "content"', '```json gatebook-data\n{{\n "content"', "JSON"),
    ],
)
def test_a_format_1_member_that_does_not_read_names_its_line_and_member(
    tmp_path: Path, find: str, replace: str, said: str
) -> None:
    text = GOLDEN_V1.read_text(encoding="utf-8")
    assert find in text
    broken = text.replace(find, replace, 1)
    member = CHAPTER.search(text)
    assert member is not None
    path = tmp_path / "v1.md"
    path.write_text(broken, encoding="utf-8")
    code, _, err = gb("verify", str(path))
    where = line_of(text, member.group(0))
    assert code == 2 and f"line {where}: member {member.group(1)}: " in err and said in err, err


def test_a_member_whose_questionnaire_id_reads_as_a_path_is_not_planned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A questionnaire whose id reads as a file name (`evil.yaml`) would make every
    reader of the plan open that file where it runs: `engagement plan` refuses it
    (exit 1, naming the member), as verify and import refuse such a plan (exit 2)."""
    local = tmp_path / "evil.yaml"
    local.write_text(
        "id: evil.yaml\ntitle: Evil\nversion: '1'\nstage: validation\nsections:\n"
        "  - {id: s, title: S, questions: [{id: tcv, type: money, prompt: TCV}]}\n"
    )
    monkeypatch.chdir(tmp_path)
    engagement = ok("engagement", "new", "Evil")
    member = ok("new", "evil.yaml", "--title", "Evil review", "--engagement", engagement)
    code, _, err = gb("engagement", "plan", engagement, "-o", str(tmp_path / "evil.md"))
    assert code == 1 and f"member {member} cannot be planned" in err
    assert "questionnaire: 'evil.yaml' reads as a file name" in err
    assert not (tmp_path / "evil.md").exists()


def test_import_force_never_takes_a_review_spliced_under_another_members_marker(
    acme: dict[str, Any], tmp_path: Path, isolated_home: Path
) -> None:
    """--force passes a text edited by hand, never a binding that fails: two members'
    chapters swapped under each other's markers (each verifies alone) import nothing."""
    text = acme["text"]
    found = chapters(text)
    oqr, pesa = found[acme["oqr"]], found[acme["pesa"]]

    def inner(chapter: str) -> str:
        return chapter[chapter.index("-->\n") + 4 : chapter.rindex("<!--")]

    swapped = text.replace(oqr, oqr.replace(inner(oqr), inner(pesa))).replace(
        pesa, pesa.replace(inner(pesa), inner(oqr))
    )
    path = tmp_path / "swapped.md"
    path.write_text(swapped)
    before = sorted((isolated_home / "reviews").iterdir())
    code, _, err = gb("import", str(path), "--force")
    assert code == 1 and "a review spliced in" in err and "nothing was written" in err, err
    assert sorted((isolated_home / "reviews").iterdir()) == before


def test_30_000_shared_facts_fail_without_hanging(acme: dict[str, Any], tmp_path: Path) -> None:
    """Each fact's line is looked up in one pass over the block (a scan per fact took
    minutes)."""
    from .cli_support import run_gatebook_process

    data = block(acme["text"])
    for number in range(30_000):
        data["content"]["shared"][f"q{number}"] = {"type": "text", "labels": {}, "value": "x"}
    forged = with_block(acme["text"], data, rehash=True)
    path = tmp_path / "x.md"
    path.write_text(forged)
    done = run_gatebook_process("verify", str(path), timeout=120)  # a hang guard only
    assert done.returncode == 1 and "Traceback" not in done.stderr
    where = line_of(forged, '  "q0": {')
    assert f"line {where}: shared fact q0: no member holds a text question q0" in done.stderr
