"""The speed kit (tui/speedups.py): fenced, switchable, and refusing what it cannot draw."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult

from gatebook.tui import speedups
from gatebook.tui.widgets.panel_text import PanelText

SRC = Path(__file__).parent.parent / "src" / "gatebook"


class PanelApp(App[None]):
    def __init__(self, css: str) -> None:
        self.extra_css = css
        super().__init__()

    def compose(self) -> ComposeResult:
        yield PanelText("one line\nanother line", id="text")

    def on_mount(self) -> None:
        if self.extra_css:
            self.stylesheet.add_source(self.extra_css, read_from=("test", "test"))
            self.stylesheet.update(self)


STYLES = {
    "opacity": "#text { opacity: 50%; }",
    "text-opacity": "#text { text-opacity: 50%; }",
    "outline": "#text { outline: solid red; }",
    "hatch": "#text { hatch: cross red; }",
    "tint": "#text { tint: red 40%; }",
    "padding": "#text { padding: 0 1; }",
    "border": "#text { border: solid red; }",
}


async def _direct(css: str) -> tuple[bool, list[str], list[str]]:
    app = PanelApp(css)
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        widget = app.query_one(PanelText)
        crop = widget.size.region
        drawn = [strip.text for strip in widget.render_lines(crop)]
        stock = [strip.text for strip in super(PanelText, widget).render_lines(crop)]
        return widget.draws_directly(), drawn, stock


async def test_plain_text_is_drawn_directly_and_matches_the_styles_cache() -> None:
    direct, drawn, stock = await _direct("")
    assert direct is speedups.ENABLED
    assert drawn == stock


@pytest.mark.parametrize("style", sorted(STYLES))
async def test_a_style_the_direct_drawing_does_not_handle_goes_through_textual(
    style: str,
) -> None:
    direct, drawn, stock = await _direct(STYLES[style])
    assert not direct
    assert drawn == stock


async def test_a_line_filter_goes_through_textual(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.filter import Monochrome

    monkeypatch.setattr(App, "get_line_filters", lambda self: [Monochrome()])
    direct, drawn, stock = await _direct("")
    assert not direct
    assert drawn == stock


def _private_textual_uses(path: Path) -> list[str]:
    """Names that reach into Textual's privates: `textual._x` imports, and `._x`
    attributes that are not defined by gatebook's own classes in the same file."""
    tree = ast.parse(path.read_text())
    found: list[str] = []
    ours = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Store)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    }
    ours |= {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    ours |= {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign | ast.Assign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("textual._"):
            found.append(f"{path.name}: from {node.module}")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            if node.attr.startswith("__") or node.attr in ours:
                continue
            found.append(f"{path.name}:{node.lineno}: .{node.attr}")
    return found


def test_no_textual_private_is_used_outside_the_speed_kit() -> None:
    tui = SRC / "tui"
    uses = [
        use
        for path in sorted(tui.rglob("*.py"))
        if path.name != "speedups.py"
        for use in _private_textual_uses(path)
    ]
    assert uses == []
    assert _private_textual_uses(tui / "speedups.py")  # the check does see them


def test_the_switch_turns_the_kit_off_in_a_new_process(tmp_path: Path) -> None:
    code = (
        "from gatebook.tui import speedups\n"
        "from gatebook.tui.screens.base import GatebookScreen\n"
        "from textual.app import App\n"
        "import asyncio\n"
        "class A(App[None]):\n"
        "    def on_mount(self):\n"
        "        self.push_screen(GatebookScreen())\n"
        "async def main():\n"
        "    app = A()\n"
        "    async with app.run_test() as pilot:\n"
        "        await pilot.pause()\n"
        "        print(speedups.ENABLED, type(app.screen._compositor).__name__)\n"
        "asyncio.run(main())\n"
    )
    outputs: dict[str, str] = {}
    for value in ("", "1"):
        env: dict[str, Any] = dict(os.environ, GATEBOOK_STOCK_TEXTUAL=value)
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
        )
        assert done.returncode == 0, done.stderr
        outputs[value] = done.stdout.strip()
    assert outputs == {"": "True SplitCompositor", "1": "False Compositor"}
