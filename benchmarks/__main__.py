"""`make bench` / `python -m benchmarks [--json] [--quick]`: speed and cost figures.

Every ratio compares gatebook with a baseline measured in the same run, the two
alternated, so a noisy machine moves both. Terminal figures drive the installed
`gatebook` and the baseline apps in a real pseudo-terminal. Exit status 1 when a
budget is broken.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from benchmarks.generate import write as write_questionnaire
from benchmarks.merge import merge_60k_s
from benchmarks.pty_driver import Terminal

ROOT = Path(__file__).resolve().parent.parent
GATEBOOK = str(Path(sys.executable).with_name("gatebook"))
LENSES = ROOT / "tests" / "data" / "lenses"
BUDGETS: dict[str, float | None] = {
    "startup_ratio": 1.3,
    "key_latency_ratio": 2.0,
    "key_latency_big_ratio": 3.0,
    "key_latency_p90_ms": None,
    "key_latency_80x24_ratio": None,
    "bytes_per_key": 2048,
    "bytes_per_key_120x40": None,
    "gc_pause_max_ms": None,
    "load_ratio": 2.0,
    "eval_scaling": 12,
    "save_scaling": 1.5,
    "export_ms": None,
    "import_lens_ms": None,
    "key_latency_flag_ratio": 3.0,
    "diff_ms": 50,
    "open_100_milestones_ratio": 1.5,
    "report_1000_s": 2.0,
    "merge_60k_s": 2.0,
    "startup_ratio_stock": None,
    "key_latency_ratio_stock": None,
    "key_latency_big_ratio_stock": None,
    "key_latency_80x24_ratio_stock": None,
    "key_latency_flag_ratio_stock": None,
    "bytes_per_key_stock": None,
}
"""`_stock` figures: the same measurement with the speed kit off (GATEBOOK_STOCK_TEXTUAL=1,
tui/speedups.py), in the same run, so what the kit buys stays visible."""
TYPED = b"1234567890" * 2


def median(values: list[float]) -> float:
    return statistics.median(values)


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def stats(values: list[float]) -> dict[str, float]:
    return {"median": round(median(values), 6), "p90": round(p90(values), 6), "n": len(values)}


def env(home: Path, *, stock: bool = False) -> dict[str, str]:
    result = dict(os.environ)
    result.update({"TERM": "xterm-256color", "GATEBOOK_HOME": str(home), "PYTHONPATH": str(ROOT)})
    result.pop("NO_COLOR", None)
    result.pop("GATEBOOK_STOCK_TEXTUAL", None)
    if stock:
        result["GATEBOOK_STOCK_TEXTUAL"] = "1"
    return result


def timed(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


# ---- workspaces ----------------------------------------------------------------------


def fill_answers(questionnaire: Any) -> dict[str, Any]:
    """A plausible answer for every question, read as a person would type it."""
    from gatebook.engine.answers import read_answers

    def raw(question: Any) -> Any:
        kind = question.type
        if kind in ("text", "longtext"):
            return f"Answer to {question.id} | with `markup` <b>"
        if kind in ("number", "integer"):
            return 12
        if kind == "money":
            return "2.5M"
        if kind == "percent":
            return "18%"
        if kind == "boolean":
            return True
        if kind == "choice":
            return question.options[0].value
        if kind == "multichoice":
            return [question.options[0].value]
        if kind == "rating":
            return 3
        if kind == "date":
            return "2026-12-01"
        if kind == "table":
            return [{c.id: raw(c) for c in question.columns} for _ in range(3)]
        if kind == "checklist":
            return {item.id: True for item in question.items}
        return None

    return read_answers(questionnaire, {q.id: raw(q) for q in questionnaire.questions()}).answers


def workspace_store(home: Path) -> Any:
    """The store of a workspace folder, as the CLI opens it."""
    from gatebook.workspace import make_catalog, open_store

    return open_store(home, make_catalog(home))


def make_workspace(home: Path, reviews: int) -> Any:
    from gatebook.demo import DEMO_ANSWERS
    from gatebook.workspace import make_catalog, save_settings

    store = workspace_store(home)
    oqr = make_catalog(home).resolve("oqr")
    save_settings(home, {"demo_offered": True})
    for number in range(reviews):
        store.create(oqr, f"Review {number:04d}", subject="Bench Corp", answers=dict(DEMO_ANSWERS))
    return store


# ---- terminal figures ----------------------------------------------------------------


def startup(home: Path, rounds: int, *, stock: bool = False) -> dict[str, Any]:
    ours: list[float] = []
    base: list[float] = []
    for _ in range(rounds):
        term = Terminal([sys.executable, "-m", "benchmarks.apps.minimal"], (120, 40), env(home))
        base.append(term.wait_for(b"minimal app ready"))
        term.close()
        term = Terminal([GATEBOOK], (120, 40), env(home, stock=stock))
        ours.append(term.wait_for(b"100 reviews"))
        term.close()
    return {
        "value": median(ours) / median(base),
        "gatebook_s": stats(ours),
        "baseline_s": stats(base),
    }


def typing(
    home: Path,
    review_id: str,
    size: tuple[int, int],
    expect: bytes,
    *,
    stock: bool = False,
    keys: list[bytes] | None = None,
    prefix: bytes = b"",
    pause: float = 0.0,
) -> dict[str, Any]:
    """Type the same keys into gatebook's field and a bare Input, alternately (after
    typing `prefix` into both, unmeasured; `pause` s of quiet before each key)."""
    ours = Terminal([GATEBOOK, "open", review_id], size, env(home, stock=stock))
    base = Terminal([sys.executable, "-m", "benchmarks.apps.bare_input"], size, env(home))
    try:
        ours.wait_for(expect, quiet=0.3)
        base.wait_for(b"bare input ready", quiet=0.3)
        for char in prefix:
            ours.key(bytes([char]))
            base.key(bytes([char]))
        ours.settle(0.3)
        base.settle(0.3)
        ours_s: list[float] = []
        base_s: list[float] = []
        sizes: list[float] = []
        for key in keys if keys is not None else [bytes([char]) for char in TYPED]:
            time.sleep(pause)
            seconds, written = ours.key(key)
            ours_s.append(seconds)
            sizes.append(written)
            time.sleep(pause)
            base_s.append(base.key(key)[0])
    finally:
        ours.close()
        base.close()
    return {"ours": ours_s, "base": base_s, "bytes": sizes}


def latency_ratio(typed: dict[str, Any]) -> dict[str, Any]:
    return {
        "value": median(typed["ours"]) / median(typed["base"]),
        "gatebook_s": stats(typed["ours"]),
        "baseline_s": stats(typed["base"]),
    }


def position_review(store: Any, questionnaire: Any, question_id: str, title: str) -> str:
    """A review on `question_id`, which starts empty: every digit typed then is a
    readable answer that is evaluated and reaches the live panel (typing after a
    stored value would make it unreadable and measure only the refusal)."""
    from gatebook.demo import DEMO_ANSWERS

    answers = dict(DEMO_ANSWERS) if questionnaire.id == "oqr" else {}
    answers.pop(question_id, None)
    path = questionnaire.source if questionnaire.id != "oqr" else None
    review = store.create(questionnaire, title, answers=answers, questionnaire_path=path)
    store.set_position(review.id, question_id)
    return str(review.id)


# A key that raises "Large deal size" (600000 -> 6000000) and one that clears it again.
FLAG_TOGGLES = [b"0", b"\x7f"] * 8


def terminal_figures(
    root: Path, ten: Any, oqr: Any, big: Any, rounds: int, stock: bool, suffix: str
) -> dict[str, Any]:
    """Start-up and keystroke figures, with the speed kit on (no suffix) or off."""
    figures: dict[str, Any] = {}
    figures["startup_ratio" + suffix] = startup(root / "ws100", rounds, stock=stock)
    wide = typing(
        root / "ws10",
        position_review(ten, oqr, "tcv_usd", "Typing 120"),
        (120, 40),
        b"Total contract value",
        stock=stock,
    )
    figures["key_latency_ratio" + suffix] = latency_ratio(wide)
    narrow = typing(
        root / "ws10",
        position_review(ten, oqr, "tcv_usd", "Typing 80"),
        (80, 24),
        b"Total contract value",
        stock=stock,
    )
    figures["bytes_per_key" + suffix] = {
        "value": median(narrow["bytes"]),
        "bytes": stats(narrow["bytes"]),
    }
    # 80x24 over SSH: the panel is folded away, the summary bar shows the figures
    figures["key_latency_80x24_ratio" + suffix] = latency_ratio(narrow)
    huge = typing(
        root / "ws10",
        position_review(ten, big, "q0", "Typing big"),
        (120, 40),
        b"Question 0",
        stock=stock,
    )
    figures["key_latency_big_ratio" + suffix] = latency_ratio(huge)
    toggles = typing(
        root / "ws10",
        position_review(ten, oqr, "tcv_usd", "Flag toggles"),
        (120, 40),
        b"Total contract value",
        stock=stock,
        keys=FLAG_TOGGLES,
        prefix=b"600000",
        pause=0.2,
    )
    figures["key_latency_flag_ratio" + suffix] = latency_ratio(toggles)
    if not stock:
        figures["key_latency_p90_ms"] = {"value": p90(wide["ours"]) * 1000}
        figures["bytes_per_key_120x40"] = {
            "value": median(wide["bytes"]),
            "bytes": stats(wide["bytes"]),
        }
    return figures


# ---- in-process figures --------------------------------------------------------------


def gc_pauses(home: Path, store: Any, oqr: Any) -> dict[str, Any]:
    """The longest garbage-collection pause while typing 20 keys into an OQR review in
    the app (headless, in this process: `gc.callbacks` time every collection)."""
    import asyncio
    import gc

    from gatebook.tui.app import make_app

    review_id = position_review(store, oqr, "tcv_usd", "GC")
    pauses: list[float] = []
    started: list[float] = []

    def callback(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            pauses.append(time.perf_counter() - started.pop())

    async def type_keys() -> None:
        app = make_app(home, open_review_id=review_id, offer_demo=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            gc.callbacks.append(callback)
            try:
                for char in TYPED.decode():
                    await pilot.press(char)
            finally:
                gc.callbacks.remove(callback)

    asyncio.run(type_keys())
    return {"value": max(pauses, default=0.0) * 1000, "collections": len(pauses)}


def load_ratio(path: Path, rounds: int) -> dict[str, Any]:
    from gatebook.questionnaire import load_questionnaire

    text = path.read_text()
    ours: list[float] = []
    base: list[float] = []
    for _ in range(rounds):
        base.append(timed(lambda: yaml.load(text, Loader=yaml.CSafeLoader)))
        ours.append(timed(lambda: load_questionnaire(path)))
    return {"value": median(ours) / median(base), "gatebook_s": stats(ours), "yaml_s": stats(base)}


def eval_scaling(big: Any, small: Any, rounds: int) -> dict[str, Any]:
    from gatebook.engine import evaluate

    big_answers, small_answers = fill_answers(big), fill_answers(small)
    ours: list[float] = []
    base: list[float] = []
    for _ in range(rounds):
        base.append(timed(lambda: evaluate(small, small_answers)))
        ours.append(timed(lambda: evaluate(big, big_answers)))
    return {"value": median(ours) / median(base), "q1000_s": stats(ours), "q100_s": stats(base)}


def save_scaling(large: Any, small: Any, rounds: int) -> dict[str, Any]:
    from gatebook.store import Change

    large_id = large.summaries()[0].id
    small_id = small.summaries()[0].id
    ours: list[float] = []
    base: list[float] = []
    for number in range(rounds):
        change = [Change("answer", "customer", f"Customer {number}")]
        base.append(timed(lambda change=change: small.update(small_id, change)))
        ours.append(timed(lambda change=change: large.update(large_id, change)))
    return {"value": median(ours) / median(base), "r1000_s": stats(ours), "r10_s": stats(base)}


def export_ms(store: Any, oqr: Any, rounds: int) -> dict[str, Any]:
    from gatebook.plan.render import render_plan

    review = store.create(oqr, "Fully answered", answers=fill_answers(oqr))
    times = [timed(lambda: render_plan(review, oqr)) for _ in range(rounds)]
    return {"value": median(times) * 1000, "export_s": stats(times)}


def diff_ms(root: Path, big: Any, rounds: int) -> dict[str, Any]:
    """`diff` between two milestones of a 1,000-question review, in-process."""
    from gatebook.milestone.service import review_diff
    from gatebook.milestone.store import MilestoneStore
    from gatebook.store import Change, ChangeKind

    home = root / "ws-diff"
    store = workspace_store(home)
    answers = fill_answers(big)
    review = store.create(big, "Diff", answers=answers, questionnaire_path=big.source)
    milestones = MilestoneStore(store)
    milestones.take(review, big, "first")
    changes = [Change(ChangeKind.ANSWER, key, None) for key in list(answers)[: len(answers) // 10]]
    store.update(review.id, changes)
    milestones.take(store.get(review.id), big, "second")
    times = [timed(lambda: review_diff(store, review.id, "first", "second")) for _ in range(rounds)]
    return {"value": median(times) * 1000, "diff_s": stats(times)}


def open_100_milestones_ratio(root: Path, oqr: Any, rounds: int) -> dict[str, Any]:
    """Opening a review (read it, its questionnaire, the evaluation the app starts
    with) with 100 milestones, against the same review with none."""
    from gatebook.demo import DEMO_ANSWERS
    from gatebook.milestone.store import MilestoneStore
    from gatebook.store.evaluation import evaluate_review

    home = root / "ws-milestones"
    store = workspace_store(home)
    plain = store.create(oqr, "No milestones", answers=dict(DEMO_ANSWERS))
    many = store.create(oqr, "100 milestones", answers=dict(DEMO_ANSWERS))
    milestones = MilestoneStore(store)
    for number in range(100):
        milestones.take(many, oqr, f"m{number:03d}")

    def open_review(review_id: str) -> None:
        review = store.get(review_id)
        evaluate_review(store.questionnaire_for(review), review)

    ours: list[float] = []
    base: list[float] = []
    for _ in range(rounds):
        base.append(timed(lambda: open_review(plain.id)))
        ours.append(timed(lambda: open_review(many.id)))
    return {"value": median(ours) / median(base), "m100_s": stats(ours), "m0_s": stats(base)}


def report_1000_s(root: Path, oqr: Any) -> dict[str, Any]:
    """`report` over 1,000 reviews in 200 engagements, in-process (each file read once)."""
    from gatebook.demo import DEMO_ANSWERS
    from gatebook.engagement.store import EngagementStore
    from gatebook.portfolio.report import build_report

    home = root / "ws-portfolio"
    store = workspace_store(home)
    engagements = EngagementStore(store)
    for number in range(200):
        members = [
            store.create(oqr, f"Review {number}-{i}", answers=dict(DEMO_ANSWERS)).id
            for i in range(5)
        ]
        engagement = engagements.create(f"Engagement {number}", start="2026-01-01", shared={})
        engagements.modify(engagement.id, lambda e, m=members: e.members.extend(m))
    seconds = timed(lambda: build_report([home], workspace_store, "2026-12-01"))
    return {"value": seconds, "reviews": 1000, "engagements": 200}


def import_lens_ms(rounds: int) -> dict[str, Any]:
    from gatebook.questionnaire.lens import load_lens_text
    from gatebook.questionnaire.loader import questionnaire_from_data
    from gatebook.questionnaire.source import SourceMap

    largest = max(LENSES.glob("*.json"), key=lambda p: p.stat().st_size)
    text = largest.read_text()

    def run() -> None:
        questionnaire_from_data(load_lens_text(text, largest.name), SourceMap(largest.name, None))

    times = [timed(run) for _ in range(rounds)]
    return {"value": median(times) * 1000, "lens": largest.name, "import_s": stats(times)}


# ---- report --------------------------------------------------------------------------


def run(quick: bool) -> dict[str, Any]:
    from gatebook.questionnaire import load_questionnaire
    from gatebook.workspace import make_catalog

    rounds = 3 if quick else 7
    # The app as installed: pip byte-compiles a package, an editable checkout is
    # compiled here (with PYTHONDONTWRITEBYTECODE set, every start compiled it again).
    compileall.compile_dir(ROOT / "src", quiet=1)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        big_path = write_questionnaire(root / "bench-1000.yaml", 1000)
        small_path = write_questionnaire(root / "bench-100.yaml", 100)
        big, small = load_questionnaire(big_path), load_questionnaire(small_path)
        ten = make_workspace(root / "ws10", 10)
        make_workspace(root / "ws100", 100)
        oqr = make_catalog(root / "ws10").resolve("oqr")
        for stock, suffix in ((False, ""), (True, "_stock")):
            figures.update(terminal_figures(root, ten, oqr, big, rounds, stock, suffix))
        figures["gc_pause_max_ms"] = gc_pauses(root / "ws10", ten, oqr)
        # The harness's own heap (workspaces, parsed questionnaires) is not what the
        # in-process figures measure: frozen, the collector's passes scan only what
        # the measured code allocates, on both sides of each ratio alike.
        gc.collect()
        gc.freeze()
        figures["load_ratio"] = load_ratio(big_path, rounds * 2)
        figures["eval_scaling"] = eval_scaling(big, small, rounds * 3)
        thousand = make_workspace(root / "ws1000", 1000)
        figures["save_scaling"] = save_scaling(thousand, ten, rounds * 5)
        figures["export_ms"] = export_ms(ten, oqr, rounds * 2)
        figures["import_lens_ms"] = import_lens_ms(rounds * 2)
        figures["diff_ms"] = diff_ms(root, big, rounds * 3)
        figures["open_100_milestones_ratio"] = open_100_milestones_ratio(root, oqr, rounds * 3)
        figures["report_1000_s"] = report_1000_s(root, oqr)
        figures["merge_60k_s"] = merge_60k_s(root, rounds)
        gc.unfreeze()
    for name, figure in figures.items():
        figure["value"] = round(figure["value"], 3)
        figure["budget"] = BUDGETS[name]
    return {name: figures[name] for name in BUDGETS}


def broken(figures: dict[str, Any]) -> list[str]:
    return [
        name
        for name, figure in figures.items()
        if figure["budget"] is not None and figure["value"] > figure["budget"]
    ]


DOCS = [ROOT / "README.md", ROOT / "docs" / "using.md"]
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def markdown(figures: dict[str, Any]) -> str:
    lines = [START, "", "| figure | measured | budget |", "|---|---|---|"]
    failed = broken(figures)
    for name, figure in figures.items():
        budget = "report" if figure["budget"] is None else f"<= {figure['budget']}"
        mark = " (over budget)" if name in failed else ""
        lines.append(f"| `{name}` | {figure['value']}{mark} | {budget} |")
    return "\n".join([*lines, "", END])


def write_docs(figures: dict[str, Any]) -> None:
    """Put the measured table into the README and docs/using.md."""
    table = markdown(figures)
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        head, _, rest = text.partition(START)
        _, _, tail = rest.partition(END)
        path.write_text(head + table + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    parser.add_argument(
        "--from-json", type=Path, help="do not measure: use a JSON file an earlier run printed"
    )
    parser.add_argument(
        "--write-docs", action="store_true", help="put the table into README and docs/using.md"
    )
    args = parser.parse_args(argv)
    figures = json.loads(args.from_json.read_text()) if args.from_json else run(args.quick)
    if args.write_docs:
        write_docs(figures)
    failed = broken(figures)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"{'figure':<24}{'value':>12}{'budget':>10}  verdict")
        for name, figure in figures.items():
            budget = "report" if figure["budget"] is None else f"<= {figure['budget']}"
            verdict = "BROKEN" if name in failed else "ok"
            print(f"{name:<24}{figure['value']:>12}{budget:>10}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
