"""Every ```python block in README.md and docs/*.md runs.

The blocks of one file run in order in one namespace (a later block may use an earlier one's
names), in a fresh temporary working directory, so a block that writes ``km.png`` or
``report/`` writes there and never into the repository. A block that cannot run here says so
on the line before its fence, ``<!-- not run: REASON -->``; those are listed in
``NOT_RUN`` below, so a new exemption is a visible change to this file.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# (file, first line of the block) of the blocks marked "not run", with the reason
NOT_RUN = {
    ("scale.md", "from pyspark.sql import functions as F"): "needs a Spark session",
}

_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_MARKER = re.compile(r"<!-- not run: (.+?) -->\s*$")


def python_blocks(text: str) -> list[tuple[int, str, str | None]]:
    """(line number, code, reason it is not run or None) of each ```python block."""
    blocks = []
    for match in _FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = _MARKER.search(before)
        line = text.count("\n", 0, match.start()) + 2
        blocks.append((line, match.group(1), marker.group(1) if marker else None))
    return blocks


def test_blocks_are_found_with_their_line_and_marker() -> None:
    text = "# t\n\n```python\nx = 1\n```\n\n<!-- not run: needs Spark -->\n```python\ny\n```\n"
    assert python_blocks(text) == [(4, "x = 1\n", None), (9, "y\n", "needs Spark")]


def test_the_blocks_marked_not_run_are_the_listed_ones() -> None:
    marked = {
        (path.name, code.strip().splitlines()[0]): reason
        for path in FILES
        for _, code, reason in python_blocks(path.read_text(encoding="utf-8"))
        if reason is not None
    }
    assert marked == NOT_RUN


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_python_block_of_a_page_runs(path: Path, tmp_path, monkeypatch) -> None:
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    try:
        for line, code, reason in python_blocks(path.read_text(encoding="utf-8")):
            if reason is None:
                exec(compile(code, f"{path.name}:{line}", "exec"), namespace)  # noqa: S102
    finally:
        plt.close("all")
