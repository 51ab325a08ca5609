from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gatebook.questionnaire import Questionnaire
from gatebook.questionnaire.catalog import Catalog
from gatebook.store import Change, ReviewNotFound, ReviewStore, UnreadableReview
from gatebook.store.storage import TEMP_SUFFIX

CHILD = Path(__file__).parent / "store_child.py"


def make_store(home: Path) -> ReviewStore:
    catalog = Catalog()
    return ReviewStore(home, lambda review: catalog.resolve(review.questionnaire))


@pytest.fixture
def store(tmp_path: Path) -> ReviewStore:
    return make_store(tmp_path / "ws")


def test_create_get_update(store: ReviewStore, oqr: Questionnaire) -> None:
    review = store.create(oqr, "Acme", subject="Acme Corp", answers={"tcv_usd": 6_000_000})
    again = store.get(review.id)
    assert again.answers == {"tcv_usd": 6_000_000}
    assert again.version == "3.0.0" and again.subject == "Acme Corp"
    store.update(
        review.id, [Change("answer", "customer", "Acme"), Change("note", "tcv_usd", "CRM")]
    )
    again = store.get(review.id)
    assert again.answers["customer"] == "Acme" and again.notes == {"tcv_usd": "CRM"}


def test_index_has_summaries_without_loading_reviews(
    store: ReviewStore, oqr: Questionnaire
) -> None:
    review = store.create(oqr, "Acme", answers={"tcv_usd": 6_000_000, "custom_ai_ml": True})
    summaries = store.summaries()
    assert [s.id for s in summaries] == [review.id]
    s = summaries[0]
    assert (s.high, s.status, s.title, s.questionnaire) == (2, "draft", "Acme", "oqr")
    assert s.progress > 0
    # The index alone answers: remove the review file and the listing still works.
    data = json.loads(store.index_path.read_text())
    assert review.id in json.dumps(data)


def test_history_and_undo(store: ReviewStore, oqr: Questionnaire) -> None:
    review = store.create(oqr, "Acme")
    store.update(review.id, [Change("answer", "tcv_usd", 1_000_000)])
    store.update(review.id, [Change("answer", "tcv_usd", 7_000_000)])
    history = store.get(review.id).history
    assert [(h.key, h.old, h.new, h.user) for h in history] == [
        ("tcv_usd", None, 1_000_000, "tester"),
        ("tcv_usd", 1_000_000, 7_000_000, "tester"),
    ]
    store.undo(review.id)
    assert store.get(review.id).answers["tcv_usd"] == 1_000_000
    store.undo(review.id)
    assert "tcv_usd" not in store.get(review.id).answers
    assert store.undo(review.id) is None
    assert store.summaries()[0].high == 0


def test_unchanged_value_writes_no_history(store: ReviewStore, oqr: Questionnaire) -> None:
    review = store.create(oqr, "Acme", answers={"customer": "Acme"})
    _, entries = store.update(review.id, [Change("answer", "customer", "Acme")])
    assert entries == [] and len(store.get(review.id).history) == 1


def test_permissions(store: ReviewStore, oqr: Questionnaire) -> None:
    review = store.create(oqr, "Acme")
    for folder in (store.home, store.reviews_dir, store.trash_dir):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.path_of(review.id).stat().st_mode) == 0o600
    assert stat.S_IMODE(store.index_path.stat().st_mode) == 0o600


def test_delete_and_restore(store: ReviewStore, oqr: Questionnaire) -> None:
    review = store.create(oqr, "Acme")
    store.delete(review.id)
    assert store.summaries() == [] and store.trash() == [review.id]
    with pytest.raises(ReviewNotFound):
        store.get(review.id)
    store.restore(review.id)
    assert store.get(review.id).title == "Acme" and len(store.summaries()) == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"review": {"1": {"id": "x", "questionn', "not valid JSON"),
        ("", "empty"),
        ('{"review": {"1": {"id": 5}}}', "id: Input should be"),
        ('{"review": {"1": {"schema_version": 99, "id": "x"}}}', "newer gatebook"),
        ("[1, 2]", "TinyDB document"),
    ],
)
def test_damaged_file_is_reported_and_never_overwritten(
    store: ReviewStore, oqr: Questionnaire, content: str, reason: str
) -> None:
    good = store.create(oqr, "Good")
    bad = store.create(oqr, "Bad")
    path = store.path_of(bad.id)
    path.write_text(content)
    with pytest.raises(UnreadableReview, match=reason):
        store.get(bad.id)
    with pytest.raises(UnreadableReview):
        store.update(bad.id, [Change("answer", "customer", "x")])
    assert path.read_text() == content
    store.update(good.id, [Change("answer", "customer", "fine")])
    assert store.get(good.id).answers["customer"] == "fine"
    rebuilt = {s.id: s for s in store.rebuild_index()}
    assert rebuilt[bad.id].unreadable


def test_damaged_index_is_rebuilt(store: ReviewStore, oqr: Questionnaire) -> None:
    review = store.create(oqr, "Acme")
    store.index_path.write_text('{"reviews": {"1": ')
    assert [s.id for s in store.summaries()] == [review.id]


def test_orphaned_answers_are_kept(store: ReviewStore, oqr: Questionnaire) -> None:
    review = store.create(oqr, "Acme", answers={"customer": "Acme"})
    store.modify(review.id, lambda r: r.answers.update({"removed_in_v3": "kept"}))
    store.update(review.id, [Change("answer", "tcv_usd", 1)])
    assert store.get(review.id).answers["removed_in_v3"] == "kept"
    assert store.summaries()[0].unreadable is None


def test_only_stale_temp_files_of_dead_processes_are_removed(
    tmp_path: Path, oqr: Questionnaire
) -> None:
    home = tmp_path / "ws"
    make_store(home).create(oqr, "First")
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    old = time.time() - 120
    crashed = home / "reviews" / f".oqr-1.json.{dead_pid}.abcd{TEMP_SUFFIX}"
    live = home / "reviews" / f".oqr-2.json.{os.getpid()}.abcd{TEMP_SUFFIX}"
    fresh = home / "reviews" / f".oqr-3.json.{dead_pid}.abcd{TEMP_SUFFIX}"
    for path in (crashed, live, fresh):
        path.write_text("half")
    os.utime(crashed, (old, old))
    os.utime(live, (old, old))
    make_store(home).create(oqr, "Second")  # the first write of a start cleans up
    assert not crashed.exists()
    assert live.exists() and fresh.exists()


def child(home: Path, review_id: str, prefix: str, count: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent / "src")}
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(home), review_id, prefix, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_crash_test_sigkill_never_tears_or_loses(tmp_path: Path, oqr: Questionnaire) -> None:
    home = tmp_path / "ws"
    review = make_store(home).create(oqr, "Crash")
    rng = random.Random(7)
    reported: set[str] = set()
    deadline = time.monotonic() + 8
    rounds = 0
    while time.monotonic() < deadline and rounds < 12:
        rounds += 1
        process = child(home, review.id, f"r{rounds}_", 100_000)
        assert process.stdout is not None
        first = process.stdout.readline()  # the child is saving now
        time.sleep(rng.uniform(0.01, 0.25))
        process.send_signal(signal.SIGKILL)
        out, _ = process.communicate()
        lines = [first, *out.splitlines()]
        reported |= {f"r{rounds}_{line.strip()}" for line in lines if line.strip()}
        notes = make_store(home).get(review.id).notes  # opens: not torn
        assert reported <= set(notes), "an answer reported as saved was lost"
    assert rounds >= 3 and len(reported) > rounds


@pytest.mark.slow
def test_two_processes_lose_nothing(tmp_path: Path, oqr: Questionnaire) -> None:
    home = tmp_path / "ws"
    review = make_store(home).create(oqr, "Shared")
    first, second = child(home, review.id, "a", 60), child(home, review.id, "b", 60)
    for process in (first, second):
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
    notes = make_store(home).get(review.id).notes
    assert {f"a{i}" for i in range(60)} | {f"b{i}" for i in range(60)} <= set(notes)
    assert len(make_store(home).get(review.id).history) == 120


def test_a_questionnaire_file_is_loaded_once_by_any_path_and_again_once_changed(
    tmp_path: Path,
) -> None:
    """load_cached knows a file by device and inode (no path resolved per lookup: a
    portfolio looks its questionnaire up per review) and its version by size and times."""
    from gatebook.questionnaire.catalog import builtin_dir, load_cached

    source = (builtin_dir() / "oqr.yaml").read_text()
    path = tmp_path / "team" / "oqr.yaml"
    path.parent.mkdir()
    path.write_text(source)
    (tmp_path / "link").symlink_to(path.parent)
    first = load_cached(path)
    assert load_cached(tmp_path / "link" / "oqr.yaml") is first
    assert load_cached(tmp_path / "team" / ".." / "team" / "oqr.yaml") is first
    path.write_text(source.replace(first.title, "Tailored", 1))
    changed = load_cached(path)
    assert changed is not first and changed.title == "Tailored"
