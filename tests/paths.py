"""Where the test data lie (one place, whatever folder a test module is in)."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATA = TESTS / "data"
REFERENCE = TESTS / "reference"
