"""Every ```python block in README.md and docs/*.md runs.

The blocks of one file run in order in one namespace (a later block may use an earlier one's
names), in a fresh temporary working directory, so a block that writes ``km.png`` or
``report/`` writes there and never into the repository. A ```text block right after a python
block is that block's printed output, compared line by line (trailing spaces aside). A block
that cannot run here says so on the line before its fence, ``<!-- not run: REASON -->``;
those are listed in ``NOT_RUN`` below, so a new exemption is a visible change to this file.

A shell example written as ``$ netsurv ...`` followed by what it prints is run too (the
installed ``netsurv`` command, in a temporary directory holding a small ``reg.csv``), and its
output compared; command synopses without ``$`` are not run.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
import sys
import typing
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

_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*\n", re.MULTILINE | re.DOTALL)
_OUTPUT = re.compile(r"\n*```text[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_MARKER = re.compile(r"<!-- not run: (.+?) -->\s*$")


class Block(typing.NamedTuple):
    line: int
    code: str
    not_run: str | None  # the reason, if marked
    output: str | None  # the printed output shown after it, if any


def python_blocks(text: str) -> list[Block]:
    """The ```python blocks of a Markdown page, in order."""
    blocks = []
    for match in _FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = _MARKER.search(before)
        output = _OUTPUT.match(text, match.end())
        blocks.append(
            Block(
                line=text.count("\n", 0, match.start()) + 2,
                code=match.group(1),
                not_run=marker.group(1) if marker else None,
                output=output.group(1) if output else None,
            )
        )
    return blocks


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip().splitlines()]


def test_blocks_are_found_with_their_line_marker_and_output() -> None:
    text = (
        "# t\n\n```python\nprint(1)\n```\n\n```text\n1\n```\n\n"
        "<!-- not run: needs Spark -->\n```python\ny\n```\n"
    )
    assert python_blocks(text) == [
        Block(4, "print(1)\n", None, "1\n"),
        Block(13, "y\n", "needs Spark", None),
    ]


def test_the_blocks_marked_not_run_are_the_listed_ones() -> None:
    marked = {
        (path.name, block.code.strip().splitlines()[0]): block.not_run
        for path in FILES
        for block in python_blocks(path.read_text(encoding="utf-8"))
        if block.not_run is not None
    }
    assert marked == NOT_RUN


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_python_block_of_a_page_runs(path: Path, tmp_path, monkeypatch) -> None:
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    try:
        for block in python_blocks(path.read_text(encoding="utf-8")):
            if block.not_run is not None:
                continue
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(compile(block.code, f"{path.name}:{block.line}", "exec"), namespace)
            if block.output is not None:
                assert _lines(printed.getvalue()) == _lines(block.output), (
                    f"{path.name}:{block.line}: the output shown after the block is not what "
                    f"it prints; it prints:\n{printed.getvalue()}"
                )
    finally:
        plt.close("all")


def fenced_blocks(text: str) -> list[tuple[str, list[str]]]:
    """(language, lines) of every fenced block of a Markdown page, in order."""
    blocks: list[tuple[str, list[str]]] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("```"):
            inside = not inside
            if inside:
                blocks.append((line[3:].strip(), []))
        elif inside:
            blocks[-1][1].append(line)
    return blocks


def shell_examples(text: str) -> list[tuple[str, list[str]]]:
    """(command, the lines shown after it) of each ``$ netsurv ...`` line in a page's blocks."""
    examples: list[tuple[str, list[str]]] = []
    for language, lines in fenced_blocks(text):
        if language not in ("", "console", "shell", "bash"):
            continue
        for line in lines:
            if line.startswith("$ "):
                examples.append((line[2:], []))
            elif examples:
                examples[-1][1].append(line)
        examples.append(("", []))  # a block's end ends the last command's output
    return [(command, shown) for command, shown in examples if command.startswith("netsurv ")]


def test_shell_examples_are_found_with_what_they_print() -> None:
    text = (
        "```python\nx = 1\n```\n\n```\n$ netsurv a x\nerror: x\n$ ls\nfile\n```\n\n"
        "```\nnetsurv b\n```\n\n```console\n$ netsurv c\n```\n"
    )
    assert shell_examples(text) == [("netsurv a x", ["error: x"]), ("netsurv c", [])]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_shell_example_prints_what_the_page_shows(path: Path, tmp_path) -> None:
    # the examples name a small table reg.csv; missing.txt stays missing
    (tmp_path / "reg.csv").write_text("survival_months,dead\n1,1\n2,0\n3,1\n", encoding="utf-8")
    netsurv_command = Path(sys.executable).with_name("netsurv")
    for command, shown in shell_examples(path.read_text(encoding="utf-8")):
        args = [str(netsurv_command), *shlex.split(command)[1:]]
        done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        printed = done.stdout + done.stderr
        assert _lines(printed) == _lines("\n".join(shown)), f"{path.name}: $ {command}"
