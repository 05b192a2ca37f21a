"""What an engine counts: the analysed columns and the rules that apply to them."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from netsurv.counting.engines.registry import COLUMNS as REGISTRY_COLUMNS
from netsurv.errors import InputError
from netsurv.rules import EXCLUSION, analysis_reasons, cause_unknown_reason

__all__ = ["Spec"]


@dataclass(frozen=True)
class Spec:
    """What to count: the analysed columns (as in :func:`netsurv.counts`)."""

    time: str
    event: str
    by: tuple[str, ...] = ()
    weights: str | None = None
    entry: str | None = None
    unknown_groups: tuple[str, ...] = ()  # by-columns whose 'unknown' labels are left out
    registry_rules: bool = False  # netsurv.read's exclusion rules (see _registry.py)
    cause: str | None = None  # cause of death: event true and cause missing is left out
    cause_events: bool = False  # count as events only those with ``cause`` true

    @property
    def cause_reason(self) -> str:
        """Reason for rows with the event and no known cause (cumulative incidence's label)."""
        return cause_unknown_reason(self.event, str(self.cause))

    def columns(self, available: Sequence[str]) -> list[str]:
        """Columns to read (the analysed ones, plus ``exclusion`` when the source has it)."""
        wanted = [self.time, self.event, *self.by, self.weights, self.entry, self.cause]
        cols = list(dict.fromkeys(c for c in wanted if c is not None))
        missing = [c for c in cols if c not in available]
        if missing:
            close = difflib.get_close_matches(missing[0], list(map(str, available)), n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise InputError(
                f"column {missing[0]!r} not found in the data{hint} "
                f"(columns: {', '.join(map(str, list(available)[:20]))})"
            )
        if self.registry_rules:
            cols += [c for c in REGISTRY_COLUMNS if c in available and c not in cols]
        return [*cols, EXCLUSION] if EXCLUSION in available and EXCLUSION not in cols else cols

    def reasons(self) -> list[str]:
        """Exclusion reasons checked after the ``exclusion`` column, in ``prepare``'s order."""
        return analysis_reasons(self.time, self.event, self.by, self.weights, self.entry)
