"""What the merge driver shares with the store (issue 31): one depth limit for every
reader, canonical bytes made fast but exactly as json writes them, engagement files
that record conflicts (schema 2, older files load), and the three-way conflict merge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gatebook.engagement.model import Engagement
from gatebook.engagement.store import UnreadableEngagement, read_engagement_file
from gatebook.store.errors import UnreadableReview
from gatebook.store.files import read_review_file
from gatebook.store.merge import merge_conflicts, merge_engagement_data
from gatebook.store.storage import (
    MAX_NESTING,
    canonical_file_bytes,
    nesting_problem,
    too_deep,
)

from . import cli_support as cli

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


def reference_bytes(data: Any) -> bytes:
    """What canonical files always were: json's own indenting encoder."""
    try:
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2)
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(data, ensure_ascii=True, sort_keys=True, indent=2) + "\n").encode()


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_canonical_bytes_are_exactly_what_json_writes(data: Any) -> None:
    assert canonical_file_bytes(data) == reference_bytes(data)


@pytest.mark.parametrize(
    "value",
    [1e-05, 3.3e-06, 1e16, float("nan"), float("inf"), "lone \ud800", "\x7f\x1f\u2028", 2**80],
)
def test_canonical_bytes_of_awkward_scalars(value: Any) -> None:
    data = {"b": [value, {"z": value, "a": []}], "a": {}}
    assert canonical_file_bytes(data) == reference_bytes(data)


def nested(depth: int, inner: Any = "x") -> Any:
    value = inner
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from([0, 1, MAX_NESTING - 2, MAX_NESTING - 1, MAX_NESTING]))
def test_the_text_depth_check_agrees_with_the_tree_walk(inner: Any, wrap: int) -> None:
    data = nested(wrap, inner)
    for raw in (json.dumps(data).encode(), json.dumps(data, ensure_ascii=False, indent=2).encode()):
        assert (nesting_problem(raw, data) is not None) == too_deep(data)


def test_depth_is_counted_in_containers() -> None:
    assert not too_deep(nested(MAX_NESTING)) and too_deep(nested(MAX_NESTING + 1))
    raw = json.dumps(nested(MAX_NESTING + 1)).encode("utf-16")
    assert nesting_problem(raw, nested(MAX_NESTING + 1)) is not None  # the tree walk


def test_every_store_reader_refuses_a_file_nested_too_deeply(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    review = cli.ok("--home", str(home), "new", "oqr", "--title", "Deep")
    path = home / "reviews" / f"{review}.json"
    data = json.loads(path.read_text())
    data["review"]["1"]["answers"]["customer"] = nested(300)
    path.write_text(json.dumps(data))
    with pytest.raises(UnreadableReview, match="nested more than 64"):
        read_review_file(path, review)
    code, _, err = cli.gb("--home", str(home), "show", review)
    assert code != 0 and "nested more than 64" in err


def engagement_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": 1,
        "id": "eng-1a2b3c",
        "title": "Acme",
        "start": "2026-01-05",
        "created": "2026-01-05T09:00:00Z",
        "updated": "2026-01-05T09:00:00Z",
        "members": [],
        "shared": {},
        "overrides": [],
    }
    return {**data, **changes}


def test_an_engagement_of_schema_1_loads_and_writes_no_empty_conflicts(tmp_path: Path) -> None:
    path = tmp_path / "eng-1a2b3c.json"
    path.write_text(json.dumps(engagement_data()))
    engagement = read_engagement_file(path, "eng-1a2b3c")
    dumped = engagement.model_dump(mode="json")
    assert dumped["schema_version"] == 1 and "conflicts" not in dumped
    assert Engagement(**{k: v for k, v in engagement_data().items() if k != "schema_version"}
                      ).schema_version == 2  # fmt: skip


def test_an_engagement_from_a_newer_gatebook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "eng-1a2b3c.json"
    path.write_text(json.dumps(engagement_data(schema_version=3)))
    with pytest.raises(UnreadableEngagement, match="newer gatebook"):
        read_engagement_file(path, "eng-1a2b3c")


def test_engagement_conflicts_are_recorded_and_the_file_becomes_schema_2() -> None:
    base = engagement_data(shared={"customer": "Acme"})
    ours = engagement_data(title="Ours", shared={"customer": "Acme Ltd"})
    theirs = engagement_data(title="Theirs", shared={"customer": "ACME"})
    merged = merge_engagement_data(base, ours, theirs)
    assert merged.data["schema_version"] == 2
    assert [c["field"] for c in merged.data["conflicts"]] == ["title", "shared.customer"]
    Engagement.model_validate(merged.data)


def review_side(**fields: Any) -> dict[str, Any]:
    return {"answers": {"tcv_usd": fields.get("tcv")}, "subject": fields.get("subject", ""),
            "conflicts": fields.get("conflicts", [])}  # fmt: skip


def test_merge_conflicts_keeps_settled_ones_settled_either_way() -> None:
    open_one = {"field": "answers.tcv_usd", "base": 1, "ours": 2, "theirs": 3}
    base = review_side(tcv=2, conflicts=[open_one])
    settled = review_side(tcv=3)
    still_open = review_side(tcv=2, conflicts=[open_one])
    assert merge_conflicts("review", (base, settled, still_open), []) == []
    assert merge_conflicts("review", (base, still_open, settled), []) == []


def test_merge_conflicts_keeps_one_opened_on_one_side_and_found_ones_win() -> None:
    opened = {"field": "subject", "base": "a", "ours": "b", "theirs": "c"}
    found = {"field": "subject", "base": "S", "ours": "T", "theirs": "U"}
    sides = (review_side(), review_side(conflicts=[opened]), review_side())
    assert merge_conflicts("review", sides, []) == [opened]
    assert merge_conflicts("review", sides, [found]) == [found]


def test_a_plain_review_takes_the_fast_path() -> None:
    """The merge's speed rests on it (make bench: merge_60k_s): no silent fallback."""
    from gatebook.store.storage import _fast_canonical_bytes

    data = {"review": {"1": {"answers": {"tcv_usd": 5000000, "pct": 15.5, "on": True},
                             "notes": {"x": "é \u2028 \x1f"}, "history": [None, []]}}}  # fmt: skip
    assert _fast_canonical_bytes(data) == reference_bytes(data)


def entry(time: str, key: str, new: Any, **more: Any) -> dict[str, Any]:
    return {"time": time, "user": "ana", "kind": "answer", "key": key, "old": None,
            "new": new, "undone": False, "undo_of": None, **more}  # fmt: skip


def test_history_merges_by_identity_and_undo_points_at_the_same_entry() -> None:
    from gatebook.store.merge import merge_review_data

    first = entry("2026-01-01T10:00:00Z", "tcv_usd", 1)
    undo = entry("2026-01-01T12:00:00Z", "tcv_usd", None, undo_of=0)
    base = {"id": "r", "questionnaire": "oqr", "history": [first]}
    ours = {**base, "history": [{**first, "undone": True}, undo]}
    theirs = {**base, "history": [first, entry("2026-01-01T09:00:00Z", "customer", 1.0),
                                  entry("2026-01-01T11:00:00Z", "customer", True)]}  # fmt: skip
    history = merge_review_data(base, ours, theirs).data["history"]
    assert [(h["key"], h["new"]) for h in history] == [
        ("customer", 1.0),
        ("tcv_usd", 1),
        ("customer", True),
        ("tcv_usd", None),
    ]  # 1.0 and true stay two entries
    assert history[1]["undone"] is True and history[3]["undo_of"] == 1
    assert undo["undo_of"] == 0 and first["undone"] is False  # the sides are left as read


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("title", "", "not empty"),
        ("start", "2026-99", "YYYY-MM-DD"),
        ("members", ["x"], "not one gatebook records"),
        ("shared.customer.x", "y", "not one gatebook records"),
    ],
)
def test_engagement_conflict_entries_are_checked(field: str, value: Any, problem: str) -> None:
    from gatebook.store.conflict_fields import conflicts_problem
    from gatebook.store.model import Conflict

    found = conflicts_problem("engagement", [Conflict(field=field, theirs=value)])
    assert found is not None and problem in found
    assert conflicts_problem("engagement", [Conflict(field="shared.customer", theirs=[1])]) is None


# ---- speed paths (make bench: merge_60k_s): the same verdicts, reached faster ----------------


def plain_entry(**changes: Any) -> dict[str, Any]:
    return {**entry("2026-01-01T10:00:00Z", "customer", "Acme"), **changes}


HISTORY_CASES = [
    [plain_entry()],
    [plain_entry(old={"a": [1, 2.5]}, shared_from="oqr-1a2b3c", shared_to=["pesa-1a2b3c"])],
    [plain_entry(kind="nope")],
    [plain_entry(extra=1)],
    ["not an entry"],
    [plain_entry(undo_of="a")],
    [plain_entry(shared_to="pesa-1a2b3c")],
    [plain_entry(shared_to=["pesa-1a2b3c", 1])],
    [plain_entry(undone="maybe")],
    [plain_entry(time=5)],
    [{k: v for k, v in plain_entry().items() if k != "user"}],
]


@pytest.mark.parametrize("history", HISTORY_CASES)
def test_the_merge_driver_reads_history_with_the_verdict_and_message_of_the_model(
    tmp_path: Path, history: list[Any]
) -> None:
    """read_review_document checks the entries as data (no model per entry) but refuses
    exactly what read_review_file refuses, with the same reason; the store's own read
    keeps the history as models."""
    from gatebook.store.files import read_review_document

    home = tmp_path / "ws"
    review_id = cli.ok("--home", str(home), "new", "oqr", "--title", "History")
    path = home / "reviews" / f"{review_id}.json"
    data = json.loads(path.read_text())
    data["review"]["1"]["history"] = history
    path.write_text(json.dumps(data))
    outcomes = []
    for read in (read_review_file, lambda p, r: read_review_document(p, r)[0]):
        try:
            outcomes.append(("ok", read(path, review_id)))
        except UnreadableReview as error:
            outcomes.append(("refused", error.reason))
    (verdict, full), (same_verdict, driver) = outcomes
    assert verdict == same_verdict
    if verdict == "refused":
        assert full == driver and full.startswith("history.0")
    else:
        assert len(full.history) == len(history) and driver.history == []
        assert read_review_document(path, review_id)[1]["history"] == history


def test_canonical_bytes_of_data_out_of_order_or_with_floats_take_the_fast_path() -> None:
    from gatebook.store.storage import _fast_canonical_bytes

    for data in (
        {"b": {"z": 1, "a": [2.5, 1e16]}, "a": None},  # out of order, a float json writes 1e+16
        {"a": [{"y": 1, "x": 2}, {"x": 1, "y": 2}], "b": 0.1},
    ):
        fast = _fast_canonical_bytes(data)
        assert fast is None or fast == reference_bytes(data)
        assert canonical_file_bytes(data) == reference_bytes(data)
    assert _fast_canonical_bytes({"b": [{"y": 1, "x": 0.5}], "a": 1}) == reference_bytes(
        {"b": [{"y": 1, "x": 0.5}], "a": 1}
    )


def test_a_cycle_or_deep_data_falls_back_to_json(tmp_path: Path) -> None:
    from gatebook.store.storage import _fast_canonical_bytes

    cycle: list[Any] = []
    cycle.append(cycle)
    assert _fast_canonical_bytes(cycle) is None
    deep = nested(300)
    assert canonical_file_bytes(deep) == reference_bytes(deep)
