"""Walk subjects through a rate table: piecewise-constant expected hazards, vectorised.

A subject's expected (population) hazard is constant while attained age and calendar year stay
in one cell of the table. :func:`walk` cuts each subject's follow-up at the cell changes and
returns one row per (subject, piece) — no Python loop over subjects.

Two ways of cutting, matching R:

* ``grid=None`` (exact): pieces end exactly where age or year crosses a cut point, as R
  ``survival``'s ``pystep`` walk (``survexp``, ``relsurv::rs.diff``) integrates.
* ``grid`` given (R ``relsurv::rs.surv(precision=1)``): follow-up is integrated in the steps of
  the grid (one day long, the last step of each interval between exit times shorter) with the
  hazard of the cell where the step *starts*, so a change of cell takes effect at the first
  step that starts at or after the crossing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from netsurv.ratetables.ratetable import _EPOCH, RateTable, year_start_days

__all__ = ["Pieces", "cumhaz_at", "cumhaz_pairs", "start_positions", "walk"]

_R_DATE_SHIFT = 3653.0  # days from 1960-01-01 to 1970-01-01


@dataclass(frozen=True)
class Pieces:
    """Pieces of follow-up with constant expected hazard, sorted by subject then time.

    ``start``/``end`` are follow-up times in days (``m0``/``m1`` the step indices in grid
    mode, else -1); ``hazard`` per day; ``cum0`` the expected cumulative hazard at ``start``;
    ``cell`` a flat index of the table cell (same cell, same hazard).
    """

    subject: np.ndarray
    start: np.ndarray
    end: np.ndarray
    m0: np.ndarray
    m1: np.ndarray
    hazard: np.ndarray
    cum0: np.ndarray
    cell: np.ndarray

    def total(self, n: int) -> np.ndarray:
        """Expected cumulative hazard of each subject at the end of its last piece."""
        inc = self.hazard * (self.end - self.start)
        return np.bincount(self.subject, weights=inc, minlength=n)


def start_positions(
    table: RateTable,
    age_days: np.ndarray,
    date_days: np.ndarray,
    convention: Literal["survival", "relsurv"] = "survival",
) -> tuple[np.ndarray, np.ndarray]:
    """Starting (age, calendar) positions in days; calendar as days since 1960-01-01.

    For tables with ``birthday_shift`` (US tables) the calendar position is moved back by the
    time from 1 January of the birth year to the birthday (R ``survexp``): it then equals
    1 January of the birth year + age, so the table's year changes on the birthday.

    ``convention="relsurv"`` reproduces R ``relsurv`` (2.2-9 to 2.3-2, ``exp.prep``): it adds
    days counted from 1970-01-01 (R ``Date``) to 1960-01-01, so it finds the birthday's day of
    the year on a date 3653 days too early — up to one day off, which moves the change of
    calendar year by a day for some subjects (an effect of order 1e-5 on net survival).
    """
    age = np.asarray(age_days, dtype=np.float64)
    pos = np.asarray(date_days, dtype=np.float64)
    if not table.birthday_shift:
        return age, pos
    birth = pos - age - (_R_DATE_SHIFT if convention == "relsurv" else 0.0)
    byear = (_EPOCH + np.floor(birth).astype("timedelta64[D]")).astype("datetime64[Y]")
    offset = birth - year_start_days(byear.astype(np.int64) + 1970)
    return age, pos - offset


def _crossings(
    cuts: np.ndarray, x0: np.ndarray, stop: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All cut points strictly inside (x0, x0 + stop): (subject, cut index, time of crossing)."""
    first = np.searchsorted(cuts, x0, side="right")
    last = np.searchsorted(cuts, x0 + stop, side="left")
    k = np.maximum(last - first, 0)
    subj = np.repeat(np.arange(len(x0)), k)
    starts = np.cumsum(k) - k
    idx = first[subj] + (np.arange(len(subj)) - starts[subj])
    return subj, idx, cuts[idx] - x0[subj]


def walk(
    table: RateTable,
    age: np.ndarray,
    pos: np.ndarray,
    sex: np.ndarray,
    race: np.ndarray,
    stop: np.ndarray,
    grid: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> Pieces:
    """Cut follow-up ``[0, stop)`` of each subject into constant-hazard pieces.

    ``age``/``pos`` from :func:`start_positions`. ``grid`` = (step starts of all strata
    concatenated, stratum of each step, first step index of each subject's stratum, number of
    steps each subject is at risk); then ``stop`` must be the end of the subject's last step.
    """
    n = len(age)
    age_cuts, year_cuts = table.age_cuts, table.year_cuts
    hz = table.year_hazard_columns()
    sa, ka, ta = _crossings(age_cuts, age, stop)
    sy, ky, ty = _crossings(year_cuts, pos, stop)
    subj = np.concatenate([sa, sy])
    tcross = np.concatenate([ta, ty])
    if grid is not None:
        cut_value = np.concatenate([age_cuts[ka], year_cuts[ky]])
        base = np.concatenate([age[sa], pos[sy]])
        ps, start, end, m0, m1 = _grid_pieces(grid, subj, tcross, base, cut_value, stop)
        mid = start  # cell where the first step of the piece starts (R: hazard at step start)
    else:
        ps, start, end = _exact_pieces(subj, tcross, stop)
        m0 = m1 = np.full(len(ps), -1, dtype=np.int64)
        mid = (start + end) / 2  # robust to round-off at the exact crossing
    ia = np.clip(np.searchsorted(age_cuts, age[ps] + mid, side="right") - 1, 0, len(age_cuts) - 1)
    iy = np.clip(np.searchsorted(year_cuts, pos[ps] + mid, side="right") - 1, 0, len(year_cuts) - 1)
    s, r = sex[ps], race[ps]
    hazard = hz[ia, s, r, iy]
    cell = ((ia * hz.shape[1] + s) * hz.shape[2] + r) * hz.shape[3] + iy
    inc = hazard * (end - start)
    csum = np.cumsum(inc)
    per_subject = np.bincount(ps, minlength=n)
    before = np.concatenate([[0.0], csum])[np.cumsum(per_subject) - per_subject]
    cum0 = csum - inc - before[ps]
    return Pieces(ps, start, end, m0, m1, hazard, cum0, cell)


_Arrays = tuple[np.ndarray, ...]


def _grid_pieces(
    grid: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    subj: np.ndarray,
    tcross: np.ndarray,
    base: np.ndarray,
    cut_value: np.ndarray,
    stop: np.ndarray,
) -> _Arrays:
    """Pieces on a step grid: each crossing snapped to the first step at or after it (R's
    rule); pieces [0, b1), [b1, b2), ... [b_last, nsteps) by one sort of (subject, step) keys.
    Returns subject, start, end and the first and last step of each piece."""
    n = len(stop)
    steps, step_stratum, first, nsteps = grid
    mstar = _snap(steps, step_stratum, first[subj], nsteps[subj], tcross, base, cut_value)
    keep = mstar < nsteps[subj]
    subj, mstar = subj[keep], mstar[keep]
    width = int(nsteps.max(initial=0)) + 1
    key = np.sort(
        np.concatenate(
            [np.arange(n, dtype=np.int64) * width, subj.astype(np.int64) * width + mstar]
        )
    )
    if len(key) > 1:
        key = key[np.concatenate([[True], key[1:] != key[:-1]])]
    ps, m0 = key // width, key % width
    nxt_same = np.zeros(len(ps), dtype=bool)
    nxt_same[:-1] = ps[1:] == ps[:-1]
    m1 = nsteps[ps].copy()
    m1[:-1] = np.where(nxt_same[:-1], m0[1:], m1[:-1])
    f = first[ps]
    start = steps[f + m0]
    end = np.where(nxt_same, steps[f + np.minimum(m1, nsteps[ps] - 1)], stop[ps])
    return ps, start, end, m0, m1


def _exact_pieces(subj: np.ndarray, tcross: np.ndarray, stop: np.ndarray) -> _Arrays:
    """Pieces cut at the exact crossing times: subject, start and end of each piece."""
    n = len(stop)
    ps = np.concatenate([np.arange(n), subj])
    pt = np.concatenate([np.zeros(n), tcross])
    order = np.lexsort((pt, ps))
    ps, start = ps[order], pt[order]
    keep = np.r_[True, (ps[1:] != ps[:-1]) | (start[1:] != start[:-1])]
    ps, start = ps[keep], start[keep]
    nxt_same = np.r_[ps[1:] == ps[:-1], False]
    end = np.where(nxt_same, np.r_[start[1:], 0.0], stop[ps])
    return ps, start, end


def _snap(
    steps: np.ndarray,
    stratum_id: np.ndarray,
    first: np.ndarray,
    nsteps: np.ndarray,
    tcross: np.ndarray,
    base: np.ndarray,
    cut: np.ndarray,
) -> np.ndarray:
    """First step (index within the stratum) whose start s has base + s >= cut (R's test)."""
    if len(tcross) == 0:
        return np.zeros(0, dtype=np.int64)
    # steps of every stratum start at 0 and increase; search each subject's stratum slice by
    # offsetting strata apart, then fix round-off with R's own comparison
    span = float(steps.max()) + 2.0 if len(steps) else 2.0
    shifted = steps + stratum_id * span
    m = np.searchsorted(shifted, tcross + stratum_id[first] * span, side="left") - first
    m = np.clip(m, 0, nsteps)
    # the search compares s with cut - base; move by one step where R's base + s >= cut
    # disagrees (round-off can only put the two tests one step apart)
    back = (m > 0) & (base + steps[first + np.maximum(m - 1, 0)] >= cut)
    m = m - back
    cur = np.minimum(m, np.maximum(nsteps - 1, 0))
    return m + ((m < nsteps) & (base + steps[first + cur] < cut))


def cumhaz_at(pieces: Pieces, n: int, times: np.ndarray) -> np.ndarray:
    """Expected cumulative hazard of every subject at each of ``times`` (n x len(times)).

    Pieces come from an exact walk (``grid=None``) long enough to cover the times; a time
    past a subject's last piece extends that piece's hazard.
    """
    t = np.asarray(times, dtype=np.float64)
    span = float(max(pieces.end.max(initial=0.0), t.max(initial=0.0))) + 1.0
    key = pieces.subject * span + pieces.start  # sorted: pieces are by subject, then start
    q = np.arange(n)[:, None] * span + t[None, :]
    idx = np.searchsorted(key, q, side="right") - 1  # last piece starting at or before t
    return pieces.cum0[idx] + pieces.hazard[idx] * (t[None, :] - pieces.start[idx])


def cumhaz_pairs(pieces: Pieces, subject: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Expected cumulative hazard of ``subject[k]`` at ``times[k]`` (exact-walk pieces)."""
    span = float(max(pieces.end.max(initial=0.0), times.max(initial=0.0))) + 1.0
    key = pieces.subject * span + pieces.start
    idx = np.searchsorted(key, subject * span + times, side="right") - 1
    return pieces.cum0[idx] + pieces.hazard[idx] * (times - pieces.start[idx])
