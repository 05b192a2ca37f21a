"""How a patient finds its cells in a population rate table: :class:`RateMap` (R ``rmap``).

Every relative-survival function (:func:`netsurv.relative_survival`,
:func:`netsurv.expected_survival`, :func:`netsurv.relative_survival_test`,
:func:`netsurv.life_table` with ``relative=True``, :func:`netsurv.excess_hazard`) takes the
same population-matching arguments. They are the fields of one frozen :class:`RateMap`, built
in one place, :func:`rate_map`, from what the user gave:

* ``rates=RateMap(...)``: the whole description at once, reusable across calls;
* the fields as keywords (``age="age"``, ``lifetable=...``, ...), as before;
* both: the keywords change those fields of ``rates``.

Unknown keywords are refused with the closest field name; a function that cannot use a field
(e.g. ``entry`` in the relative life table) refuses it by name.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal, TypedDict

from netsurv.errors import InputError
from netsurv.ratetables.ratetable import RateTable
from netsurv.rules import UNIT_DAYS

__all__ = ["RATE_MAP_FIELDS", "RateKeywords", "RateMap", "rate_map"]


@dataclass(frozen=True)
class RateMap:
    """How a patient finds its cells in a population rate table (R ``relsurv``'s ``rmap``).

    Parameters
    ----------
    time_unit : unit of the follow-up column: "months" (a SEER month, 365.24/12 days),
        "days" or "years" (365.24 days).
    age, sex : columns of age at diagnosis (years, or days with ``age_unit="days"``) and sex.
    year, month, date_dx : diagnosis date: ``date_dx`` (exact) where known, else the 15th of
        ``month`` of ``year``, else 1 July of ``year``.
    race : race column for a table by race (``ratetables.us(race=True)`` is then the default).
    lifetable : a :class:`netsurv.ratetables.RateTable`; default the US tables 1940–2020.
    completed_age : add half a year to ages (None: when all ages are whole numbers).
    age_unit : "years" (default) or "days" (exact ages, as R ``relsurv`` takes them).
    zero_time : follow-up given to rows with zero follow-up. "auto": 0.5 with
        ``time_unit="months"`` (a death in SEER month 0 happened within the first month),
        None otherwise; None leaves such rows out and counts them in ``excluded``.
    entry : column of entry times (left truncation); the weights 1/S_P,i still run from
        diagnosis.

    Checked when built (unknown ``time_unit``, ``age_unit``, a bad ``zero_time``).

    Examples
    --------
    >>> rm = RateMap(age="age", sex="gender")
    >>> rm.columns
    ('age', 'gender', 'year_dx')
    >>> rate_map(rm, {"year": "yydx"}).columns
    ('age', 'gender', 'yydx')
    """

    time_unit: str = "months"
    age: str = "age_dx"
    sex: str = "sex"
    year: str | None = "year_dx"
    date_dx: str | None = None
    month: str | None = None
    race: str | None = None
    lifetable: RateTable | None = None
    completed_age: bool | None = None
    age_unit: str = "years"
    zero_time: float | str | None = "auto"
    entry: str | None = None

    def __post_init__(self) -> None:
        if self.time_unit not in UNIT_DAYS:
            raise InputError(f"time_unit={self.time_unit!r}: choose one of {', '.join(UNIT_DAYS)}")
        if self.age_unit not in ("years", "days"):
            raise InputError(f"age_unit={self.age_unit!r}: choose 'years' or 'days'")
        if isinstance(self.zero_time, str) and self.zero_time != "auto":
            raise InputError(f"zero_time={self.zero_time!r}: give a positive time, 'auto' or None")
        if self.lifetable is not None and not isinstance(self.lifetable, RateTable):
            raise InputError(
                "lifetable: give a netsurv.ratetables.RateTable (e.g. ratetables.us())"
            )

    @property
    def columns(self) -> tuple[str, ...]:
        """The data columns it reads (besides time, event and the groups)."""
        cols = (self.age, self.sex, self.year, self.date_dx, self.month, self.race, self.entry)
        return tuple(c for c in cols if c is not None)

    def replace(self, **changes: object) -> RateMap:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


RATE_MAP_FIELDS = tuple(RateMap.__dataclass_fields__)


class RateKeywords(TypedDict, total=False):
    """The fields of :class:`RateMap` as keyword arguments (``**rate_keywords``)."""

    time_unit: str
    age: str
    sex: str
    year: str | None
    date_dx: str | None
    month: str | None
    race: str | None
    lifetable: RateTable | None
    completed_age: bool | None
    age_unit: Literal["years", "days"]
    zero_time: float | Literal["auto"] | None
    entry: str | None


def rate_map(
    rates: RateMap | None,
    keywords: Mapping[str, object],
    *,
    caller: str = "relative_survival",
    refuse: tuple[str, ...] = (),
) -> RateMap:
    """The one place a :class:`RateMap` is built from a user's ``rates=`` and keywords.

    ``keywords`` change the fields of ``rates`` (default: ``RateMap()``); a keyword that is
    not a field, or one in ``refuse`` (fields ``caller`` cannot use), is an
    :class:`~netsurv.errors.InputError`, and so is a ``rates`` with ``entry`` set when
    ``caller`` refuses ``entry``. (A refused ``zero_time`` in ``rates`` is overridden by the
    caller, as documented there.)
    """
    if rates is not None and not isinstance(rates, RateMap):
        raise InputError(
            f"rates={rates!r}: give a netsurv.RateMap, e.g. RateMap(age='age', sex='sex')"
        )
    for name in keywords:
        if name not in RATE_MAP_FIELDS:
            close = difflib.get_close_matches(name, RATE_MAP_FIELDS)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise InputError(f"{caller}() got an unexpected keyword argument {name!r}{hint}")
        if name in refuse:
            raise InputError(f"{caller}() does not take {name}= (not supported here)")
    base = rates if rates is not None else RateMap()
    if "entry" in refuse and base.entry is not None:  # would change the risk sets: refuse
        raise InputError(f"{caller}() does not take rates with entry set (left truncation)")
    return base.replace(**keywords) if keywords else base
