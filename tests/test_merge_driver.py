"""The merge driver cannot be turned against its user (issue 31): each side is read
with the store's own checks and named when refused, OURS stays byte-identical, the
only other file it writes is NAME-N.json beside PATH, non-regular files and symlinked
or file-blocked folders are refused, conflicts are checked and merge three ways.

The driver runs on real files in a real workspace; `run_gatebook` runs it in-process
from the work tree (git runs it there), a FIFO case in a real process (a hang guard).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gatebook.milestone.point import digest_of_frozen
from gatebook.store.storage import canonical_file_bytes

from . import cli_support as cli
from .cli_support import run_gatebook, run_gatebook_process


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A workspace that is also the current folder (the work tree git runs us in)."""
    folder = tmp_path / "ws"
    cli.ok("--home", str(folder), "init")
    monkeypatch.chdir(folder)
    monkeypatch.setenv("GATEBOOK_HOME", str(folder))
    yield folder


def ok(*args: str) -> str:
    return cli.ok(*args)


def review_file(home: Path, review: str) -> Path:
    return home / "reviews" / f"{review}.json"


def document(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())["review"]["1"]
    return data


def write_review(path: Path, data: dict[str, Any]) -> Path:
    path.write_bytes(canonical_file_bytes({"review": {"1": data}}))
    return path


def merge(*args: str) -> tuple[int, str]:
    done = run_gatebook("merge-file", *args)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stderr


@pytest.fixture
def sides(home: Path, tmp_path: Path) -> tuple[str, Path, Path, Path]:
    """A review (tcv 1M) as BASE and OURS (in the workspace), THEIRS a copy of BASE."""
    review = ok("new", "oqr", "--title", "Sides")
    ok("set", review, "customer=Acme", "tcv_usd=1M")
    ours = review_file(home, review)
    base = tmp_path / "base.json"
    theirs = tmp_path / "theirs.json"
    base.write_bytes(ours.read_bytes())
    theirs.write_bytes(ours.read_bytes())
    return review, base, ours, theirs


def refused(args: list[str], ours: Path, *texts: str) -> None:
    before = ours.read_bytes()
    code, err = merge(*args)
    assert code == 2, err
    for text in texts:
        assert text in err, (text, err)
    assert ours.read_bytes() == before


# ---- every side is read with the store's checks, and named -----------------------------------


@pytest.mark.parametrize("side", ["BASE", "OURS", "THEIRS"])
def test_a_side_that_is_not_json_is_named_and_ours_is_left(
    side: str, sides: tuple[str, Path, Path, Path], tmp_path: Path
) -> None:
    review, base, ours, theirs = sides
    files = {"BASE": base, "OURS": ours, "THEIRS": theirs}
    if side == "OURS":
        ours.write_text("{not json")
    else:
        files[side].write_text("{not json")
    refused([str(base), str(ours), str(theirs), f"reviews/{review}.json"], ours, side,
            "not valid JSON")  # fmt: skip


def test_a_side_whose_id_is_not_paths_file_name_is_refused(
    sides: tuple[str, Path, Path, Path],
) -> None:
    review, base, ours, theirs = sides
    data = document(theirs)
    data["id"] = "oqr-other"
    write_review(theirs, data)
    refused([str(base), str(ours), str(theirs), f"reviews/{review}.json"], ours, "THEIRS",
            "inner id 'oqr-other'")  # fmt: skip


def test_a_side_that_breaks_the_review_model_is_refused(
    sides: tuple[str, Path, Path, Path],
) -> None:
    review, base, ours, theirs = sides
    data = document(theirs)
    data["risk_register"] = {"risk_1": {"status": "bogus"}}
    write_review(theirs, data)
    refused([str(base), str(ours), str(theirs), f"reviews/{review}.json"], ours, "THEIRS",
            "risk_register.risk_1.status")  # fmt: skip


def test_an_answer_nested_300_deep_is_refused_without_a_traceback(
    sides: tuple[str, Path, Path, Path],
) -> None:
    review, base, ours, theirs = sides
    data = document(theirs)
    deep: Any = "x"
    for _ in range(300):
        deep = [deep]
    data["answers"]["customer"] = deep
    write_review(theirs, data)
    refused([str(base), str(ours), str(theirs), f"reviews/{review}.json"], ours, "THEIRS",
            "nested more than 64 levels deep")  # fmt: skip


def test_an_engagement_side_over_the_stores_size_cap_is_refused(home: Path, tmp_path: Path) -> None:
    engagement = ok("engagement", "new", "Big", "--customer", "Acme")
    ours = home / "engagements" / f"{engagement}.json"
    data = json.loads(ours.read_text())
    data["title"] = "x" * (5 * 1024 * 1024)
    theirs = tmp_path / "theirs.json"
    theirs.write_text(json.dumps(data))
    refused([str(ours), str(ours), str(theirs), f"engagements/{engagement}.json"], ours,
            "THEIRS", "larger than 4 MB")  # fmt: skip


@pytest.mark.parametrize("kind", ["review", "engagement"])
def test_a_merge_the_store_could_not_read_is_refused(
    kind: str, sides: tuple[str, Path, Path, Path], home: Path, tmp_path: Path
) -> None:
    """Each side under the size cap, their union over it: writing it would leave a
    file no command can open (attack-team)."""
    if kind == "review":
        review, base, ours, theirs = sides
        half = 33 * 1024 * 1024  # two of them: more than the 64 MB a review may be
        for path, key in ((ours, "customer"), (theirs, "opportunity")):
            data = document(path)
            data["notes"] = {key: key[0] * half}
            write_review(path, data)
        label, cap = f"reviews/{review}.json", "64 MB"
    else:
        engagement = ok("engagement", "new", "Big", "--customer", "Acme")
        ours = home / "engagements" / f"{engagement}.json"
        base = tmp_path / "base.json"
        base.write_bytes(ours.read_bytes())
        theirs = tmp_path / "theirs.json"
        for path, key in ((ours, "customer_a"), (theirs, "customer_b")):
            data = json.loads(base.read_text())
            data["shared"] = {key: key[-1] * (3 * 1024 * 1024)}
            write_json(path, data)
        label, cap = f"engagements/{engagement}.json", "4 MB"
    refused([str(base), str(ours), str(theirs), label], ours, "larger than " + cap)


def test_a_conflict_that_would_nest_too_deep_is_refused(
    sides: tuple[str, Path, Path, Path],
) -> None:
    """An answer just inside the nesting limit on each side: its conflict entry holds it
    two levels deeper, past the limit, so the merged file could never be read again."""
    review, base, ours, theirs = sides
    for path, tag in ((ours, "a"), (theirs, "b")):
        deep: Any = tag
        for _ in range(60):
            deep = [deep]
        data = document(path)
        data["answers"]["customer"] = deep
        write_review(path, data)
    assert cli.gb("show", review)[0] == 0  # at that depth a side is read
    refused([str(base), str(ours), str(theirs), f"reviews/{review}.json"], ours,
            "nested more than 64 levels deep")  # fmt: skip


def test_an_empty_base_is_no_base(sides: tuple[str, Path, Path, Path]) -> None:
    review, base, ours, theirs = sides
    base.write_bytes(b"")
    data = document(theirs)
    data["answers"]["opportunity"] = "Theirs only"
    write_review(theirs, data)
    code, err = merge(str(base), str(ours), str(theirs), f"reviews/{review}.json")
    assert code == 0, err
    assert document(ours)["answers"]["opportunity"] == "Theirs only"


# ---- paths that are not regular files, and PATH ------------------------------------------------


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_side_that_is_not_a_regular_file_is_refused_unopened(
    kind: str, sides: tuple[str, Path, Path, Path], tmp_path: Path
) -> None:
    review, base, ours, _ = sides
    special = tmp_path / "special"
    if kind == "folder":
        special.mkdir()
    else:
        os.mkfifo(special)
    before = ours.read_bytes()
    done = run_gatebook_process("merge-file", str(base), str(ours), str(special),
                                f"{ours.parent.name}/{review}.json", timeout=60)  # fmt: skip
    assert done.returncode == 2 and "THEIRS" in done.stderr and "not a regular file" in done.stderr
    assert "Traceback" not in done.stderr
    assert ours.read_bytes() == before


def test_a_path_through_a_file_is_refused(sides: tuple[str, Path, Path, Path]) -> None:
    review, base, ours, theirs = sides
    refused([str(base), str(ours), str(theirs), f"reviews/{review}.json/{review}.json"], ours,
            "PATH", "is a file, not a folder")  # fmt: skip


def test_a_path_whose_folder_is_a_symbolic_link_is_refused(
    sides: tuple[str, Path, Path, Path], home: Path
) -> None:
    review, base, ours, theirs = sides
    (home / "linked").symlink_to(home / "reviews")
    refused([str(base), str(ours), str(theirs), f"linked/{review}.json"], ours, "PATH",
            "symbolic link")  # fmt: skip


def test_a_symbolic_link_further_up_the_work_tree_is_refused(home: Path, tmp_path: Path) -> None:
    review = ok("new", "oqr", "--title", "Deep")
    ok("milestone", review, "day-1")
    ours = home / "milestones" / review / "day-1.json"
    real = tmp_path / "elsewhere"
    real.mkdir()
    (home / "up").symlink_to(real)
    (real / review).mkdir()
    refused([str(ours), str(ours), str(ours), f"up/{review}/day-1.json"], ours, "symbolic link")
    assert list((real / review).iterdir()) == []


# ---- milestones ---------------------------------------------------------------------------------


def milestone_sides(home: Path, tmp_path: Path) -> tuple[str, Path, dict[str, Any]]:
    review = ok("new", "oqr", "--title", "M")
    ok("milestone", review, "day-1")
    ours = home / "milestones" / review / "day-1.json"
    other = json.loads(ours.read_text())
    other["note"] = "taken on the other laptop"
    other["digest"] = digest_of_frozen(other)
    return review, ours, other


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_a_milestone_taken_on_both_sides_keeps_both_named_from_path(
    home: Path, tmp_path: Path
) -> None:
    review, ours, other = milestone_sides(home, tmp_path)
    theirs = write_json(tmp_path / "theirs.json", other)
    (home / "milestones" / review / "day-1-2.json").write_text("taken")
    empty = write_json(tmp_path / "empty.json", "")
    empty.write_bytes(b"")
    before = ours.read_bytes()
    code, err = merge(str(empty), str(ours), str(theirs), f"milestones/{review}/day-1.json")
    assert code == 0, err
    assert ours.read_bytes() == before
    kept = json.loads((home / "milestones" / review / "day-1-3.json").read_text())
    assert kept["name"] == "day-1-3" and kept["note"] == "taken on the other laptop"
    assert kept["digest"] == digest_of_frozen(kept)
    assert "day-1-3" in err and "git add" in err


@pytest.mark.parametrize("name", ["../../x", "/tmp/gatebook-merge-x"])
def test_a_milestone_whose_inner_name_escapes_is_refused(
    name: str, home: Path, tmp_path: Path
) -> None:
    review, ours, other = milestone_sides(home, tmp_path)
    other["name"] = name
    other["digest"] = digest_of_frozen(other)
    theirs = write_json(tmp_path / "theirs.json", other)
    before = sorted(p for p in tmp_path.rglob("*"))
    refused([str(ours), str(ours), str(theirs), f"milestones/{review}/day-1.json"], ours,
            "THEIRS", "names another review or milestone")  # fmt: skip
    assert sorted(p for p in tmp_path.rglob("*")) == before
    assert not Path("/tmp/gatebook-merge-x-2.json").exists()


def test_a_tampered_milestone_is_refused_never_given_a_fresh_digest(
    home: Path, tmp_path: Path
) -> None:
    review, ours, other = milestone_sides(home, tmp_path)
    other["evaluation"]["overall"] = 99.0  # the digest no longer matches
    theirs = write_json(tmp_path / "theirs.json", other)
    refused([str(ours), str(ours), str(theirs), f"milestones/{review}/day-1.json"], ours,
            "THEIRS", "no longer matches its digest")  # fmt: skip
    assert sorted(p.name for p in ours.parent.iterdir()) == ["day-1.json"]


def test_a_milestone_changed_on_both_sides_needs_path(home: Path, tmp_path: Path) -> None:
    _, ours, other = milestone_sides(home, tmp_path)
    theirs = write_json(tmp_path / "theirs.json", other)
    refused([str(ours), str(ours), str(theirs)], ours, "PATH")


# ---- conflicts: checked, three ways, named with the command that settles them ----------------


@pytest.mark.parametrize(
    ("entry", "named"),
    [
        ({"field": "../../etc/passwd", "ours": 1}, "is not one gatebook records"),
        ({"field": "risk_register.risk_1.status", "theirs": "bogus"}, "status"),
        ({"field": "risk_register.risk_1.mitigation", "theirs": "x"}, "not one gatebook"),
        ({"field": "title", "theirs": 5}, "must be text"),
        ({"field": "escalation", "theirs": "x"}, "escalation"),
        ({"field": "answers.tcv_usd", "theirs": "lots"}, "answers.tcv_usd"),
    ],
)
def test_junk_in_a_sides_conflicts_is_refused_naming_it(
    entry: dict[str, Any], named: str, sides: tuple[str, Path, Path, Path]
) -> None:
    review, base, ours, theirs = sides
    data = document(theirs)
    data["conflicts"] = [entry]
    write_review(theirs, data)
    refused([str(base), str(ours), str(theirs), f"reviews/{review}.json"], ours, "THEIRS",
            "conflicts[0]", named)  # fmt: skip


def test_a_field_listed_twice_is_refused(sides: tuple[str, Path, Path, Path]) -> None:
    review, base, ours, theirs = sides
    data = document(theirs)
    data["conflicts"] = [{"field": "title", "ours": "a"}, {"field": "title", "ours": "b"}]
    write_review(theirs, data)
    refused([str(base), str(ours), str(theirs), f"reviews/{review}.json"], ours, "THEIRS",
            "listed twice")  # fmt: skip


def test_conflicts_merge_three_ways(sides: tuple[str, Path, Path, Path]) -> None:
    """BASE and OURS hold an open conflict THEIRS settled; both hold another open one
    (kept once, with the values this merge sees); OURS opened a third since BASE."""
    review, base, ours, theirs = sides
    settled = {"field": "answers.tcv_usd", "base": 1, "ours": 2, "theirs": 3}
    both = {"field": "subject", "base": "a", "ours": "b", "theirs": "c"}
    opened = {"field": "notes.customer", "base": None, "ours": "x", "theirs": "y"}
    for path, conflicts in ((base, [settled, both]), (ours, [settled, both, opened]),
                            (theirs, [both])):  # fmt: skip
        data = document(path)
        data["conflicts"] = conflicts
        data["subject"] = {base: "S0", ours: "S1", theirs: "S2"}[path]
        write_review(path, data)
    code, err = merge(str(base), str(ours), str(theirs), f"reviews/{review}.json")
    assert code == 1, err  # the subject changed on both sides in this merge
    merged = document(ours)["conflicts"]
    assert merged == [
        {"field": "subject", "base": "S0", "ours": "S1", "theirs": "S2"},
        opened,
    ]
    assert f"gatebook resolve {review} subject --take ours|theirs|base" in err
    assert f"gatebook resolve {review} notes.customer" in err


def test_a_conflict_open_on_both_sides_is_kept_once_as_this_merge_sees_it(
    sides: tuple[str, Path, Path, Path],
) -> None:
    review, base, ours, theirs = sides
    stale = {"field": "answers.tcv_usd", "base": 1, "ours": 2, "theirs": 3}
    for path in (ours, theirs):
        data = document(path)
        data["conflicts"] = [stale]
        write_review(path, data)
    code, err = merge(str(base), str(ours), str(theirs), f"reviews/{review}.json")
    assert code == 0, err
    assert document(ours)["conflicts"] == [
        {"field": "answers.tcv_usd", "base": 1000000, "ours": 1000000, "theirs": 1000000}
    ]


def test_rows_both_sides_created_under_one_id_with_other_titles_are_a_conflict(
    sides: tuple[str, Path, Path, Path],
) -> None:
    review, base, ours, theirs = sides
    for path, title, mitigation in ((ours, "Architect leaves", None),
                                    (theirs, "Budget cut", "Phase it")):  # fmt: skip
        data = document(path)
        data["risk_register"] = {"risk_1": {"title": title, "severity": "high"}}
        if mitigation:
            data["mitigations"] = {"risk_1": mitigation}
        write_review(path, data)
    code, err = merge(str(base), str(ours), str(theirs), f"reviews/{review}.json")
    assert code == 1, err
    merged = document(ours)
    assert merged["risk_register"]["risk_1"]["title"] == "Architect leaves"
    assert "risk_1" not in merged["mitigations"]  # the other risk's mitigation is not carried
    fields = {c["field"]: c for c in merged["conflicts"]}
    assert fields["risk_register.risk_1"]["theirs"]["title"] == "Budget cut"
    assert fields["mitigations.risk_1"]["theirs"] == "Phase it"


def test_a_stored_value_is_never_rewritten(sides: tuple[str, Path, Path, Path]) -> None:
    review, base, ours, theirs = sides
    data = document(ours)
    data["notes"] = {"customer": "lone \ud800 surrogate, tab\tand é"}
    write_review(ours, data)
    data = document(theirs)
    data["answers"]["opportunity"] = "Theirs"
    write_review(theirs, data)
    code, err = merge(str(base), str(ours), str(theirs), f"reviews/{review}.json")
    assert code == 0, err
    assert document(ours)["notes"]["customer"] == "lone \ud800 surrogate, tab\tand é"


def test_without_path_every_side_carries_ours_id(
    sides: tuple[str, Path, Path, Path], tmp_path: Path
) -> None:
    _, base, ours, theirs = sides
    plain = tmp_path / "ours.json"  # a name that is no id: OURS's own id is the one
    plain.write_bytes(ours.read_bytes())
    data = document(theirs)
    data["answers"]["opportunity"] = "Theirs"
    write_review(theirs, data)
    code, err = merge(str(base), str(plain), str(theirs))
    assert code == 0, err
    assert document(plain)["answers"]["opportunity"] == "Theirs"
    data["id"] = "oqr-other"
    write_review(theirs, data)
    refused([str(base), str(plain), str(theirs)], plain, "THEIRS", "inner id 'oqr-other'")
    theirs.write_text('{"review": {"1": {"id": 5}}}')
    refused([str(base), str(plain), str(theirs)], plain, "THEIRS", "not a review")
