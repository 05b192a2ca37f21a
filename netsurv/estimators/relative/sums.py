"""The additive sums behind Ederer II and Pohar Perme (R ``relsurv::rs.surv``), vectorised.

For each stratum the exit times t_1 < t_2 < ... are the estimator's time grid (R: the sorted
distinct follow-up times). Between consecutive exit times follow-up is integrated in steps of
one day (the last step of an interval shorter), with the expected hazard of the cell where
the step starts — R ``relsurv``'s ``precision = 1`` integration (C routine
``netfastpinter2``). With S_P,i the subject's expected survival:

* per exit time j: ``at_risk`` (relsurv's ``yi``), ``events`` (``dni``),
  ``weighted_events`` = Σ events / S_P,i (``dnisi``), ``weighted_events_sq`` = Σ events /
  S_P,i² (``dnisisq``);
* per step m (subjects at risk over the step): ``inv_start`` = Σ 1/S_P,i(step start) (``b``),
  ``hazard_inv_start`` = Σ λ_P,i / S_P,i(start) (``a``), ``inv_end``/``hazard_inv_end`` the
  same with S_P,i at the step end (``b2``/``a2``), and ``step_hazard`` = Σ λ_P,i (``e``).

All of these are sums over subjects, so chunks of rows can be summed separately (on one step
grid, built from every chunk's distinct exit times first) and added (:class:`SubjectSums`
adds with ``+``): :func:`subject_sums` is that per-chunk kernel and :func:`finish` turns the
totals into the interval quantities of :class:`IntervalSums`: ``weighted_at_risk`` (``yisi``
= inv_end at the interval's last step), ``expected_hazard`` (``yidli`` = Σ step length ×
step_hazard) and ``weighted_pop_hazard`` (``fint``, relsurv's integral of the weighted
population hazard: Σ over the interval's steps of length × (A/B + A2/B2) / 2, where A, B,
A2, B2 are running sums of the four step sums since the interval began).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from netsurv.estimators.relative.activesums import active_sums
from netsurv.ratetables.ratetable import RateTable
from netsurv.ratetables.walk import Pieces, walk

__all__ = [
    "DiffSums",
    "IntervalSums",
    "StepGrid",
    "SubjectSums",
    "diff_sums",
    "finish",
    "locate",
    "step_grid",
    "subject_sums",
]


@dataclass(frozen=True)
class StepGrid:
    """Exit times per stratum (``stratum``, ``time``: one row per crude interval) and the
    integration steps (``step_start``, ``step_len``, ``step_stratum``, ``step_interval``);
    ``first_step[k]`` is the first step of stratum k."""

    stratum: np.ndarray
    time: np.ndarray
    step_start: np.ndarray
    step_len: np.ndarray
    step_stratum: np.ndarray
    step_interval: np.ndarray
    first_step: np.ndarray
    steps_through: np.ndarray  # steps of the stratum up to and including interval j


@dataclass(frozen=True)
class SubjectSums:
    """Additive sums of a chunk of subjects on a :class:`StepGrid` (module docstring); the
    first five per interval, the rest per step (the four weighted ones only for Pohar
    Perme). Chunks add with ``+``."""

    exits: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    weighted_events: np.ndarray
    weighted_events_sq: np.ndarray
    step_hazard: np.ndarray
    inv_start: np.ndarray | None = None
    hazard_inv_start: np.ndarray | None = None
    inv_end: np.ndarray | None = None
    hazard_inv_end: np.ndarray | None = None

    def __add__(self, other: SubjectSums) -> SubjectSums:
        def add(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
            return None if a is None or b is None else a + b

        return SubjectSums(
            *(add(getattr(self, f), getattr(other, f)) for f in self.__dataclass_fields__)  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class IntervalSums:
    """Per exit-time interval: the inputs of relsurv's Ederer II and Pohar Perme formulas
    (``weighted_at_risk`` and ``weighted_pop_hazard`` only for Pohar Perme)."""

    exits: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    weighted_events: np.ndarray
    weighted_events_sq: np.ndarray
    expected_hazard: np.ndarray
    weighted_at_risk: np.ndarray | None = None
    weighted_pop_hazard: np.ndarray | None = None


@dataclass(frozen=True)
class DiffSums:
    """Sums of R ``rs.diff`` per group x grid point: Σ Y_i/S_P,i (``yisi``), Σ Y_i ΔΛ_P,i/S_P,i
    (``yidlisi``), Σ dN_i/S_P,i (``dnisi``), Σ dN_i/S_P,i² (``dnisisq``)."""

    weighted_at_risk: np.ndarray
    weighted_expected: np.ndarray
    weighted_events: np.ndarray
    weighted_events_sq: np.ndarray


def step_grid(
    stratum: np.ndarray, time: np.ndarray, n_strata: int, entry: np.ndarray | None = None
) -> StepGrid:
    """Distinct exit times per stratum and relsurv's one-day integration steps between them.

    With left truncation the (positive) entry times are grid points too, so that the risk set
    changes only at grid points.
    """
    if entry is not None:
        late = entry > 0
        stratum = np.concatenate([stratum, stratum[late]])
        time = np.concatenate([time, entry[late]])
    order = np.lexsort((time, stratum))
    st, tt = stratum[order].astype(np.int64), time[order]
    new = np.r_[True, (st[1:] != st[:-1]) | (tt[1:] != tt[:-1])] if len(tt) else np.zeros(0, bool)
    st, tt = st[new], tt[new]
    prev = np.where(np.r_[True, st[1:] != st[:-1]], 0.0, np.r_[0.0, tt[:-1]])
    width = tt - prev  # R: thiscell = times[j] - time
    k = np.ceil(width).astype(np.int64)  # steps of length 1, the last one shorter
    interval = np.repeat(np.arange(len(tt)), k)
    within = np.arange(len(interval)) - np.repeat(np.cumsum(k) - k, k)
    start = prev[interval] + within
    length = np.minimum(1.0, width[interval] - within)
    step_stratum = st[interval]
    first_step = np.searchsorted(step_stratum, np.arange(n_strata))
    through = np.cumsum(k) - first_step[st]
    return StepGrid(st, tt, start, length, step_stratum, interval, first_step, through)


def subject_sums(
    grid: StepGrid,
    table: RateTable,
    stratum: np.ndarray,
    time: np.ndarray,
    status: np.ndarray,
    age: np.ndarray,
    pos: np.ndarray,
    sex: np.ndarray,
    race: np.ndarray,
    *,
    weighted: bool = True,
    entry: np.ndarray | None = None,
) -> SubjectSums:
    """Per-chunk additive sums on ``grid`` (see the module docstring).
    ``weighted=False`` skips the 1/S_P step sums (Ederer II needs only at risk, events and
    the step hazard).
    ``entry`` (left truncation, on the grid): a subject is at risk over the steps after its
    entry; its expected survival S_P,i still runs from time 0 (diagnosis)."""
    n_int, n_steps = len(grid.time), len(grid.step_start)
    # interval of each subject's exit: rows of grid are sorted by (stratum, time)
    j = locate(grid, stratum, time)
    nsteps = grid.steps_through[j]
    first = grid.first_step[stratum]
    pieces = walk(
        table, age, pos, sex, race, time, grid=(grid.step_start, grid.step_stratum, first, nsteps)
    )
    cum = pieces.total(len(time))
    inv = np.exp(cum)
    at_risk = _at_risk(grid, j)
    if entry is not None and (entry > 0).any():
        at_risk, pieces = _late_entry(grid, pieces, stratum, entry, nsteps, first, at_risk)
    per_interval = (
        np.bincount(j, minlength=n_int).astype(np.float64),
        at_risk,
        np.bincount(j, weights=status, minlength=n_int),
        np.bincount(j, weights=status * inv, minlength=n_int),
        np.bincount(j, weights=status * inv * inv, minlength=n_int),
    )
    if weighted:
        (b, a, b2, a2), e = _step_sums(grid, pieces, stratum[pieces.subject], n_steps)
        return SubjectSums(*per_interval, e, b, a, b2, a2)
    return SubjectSums(*per_interval, _step_hazard(grid, pieces, stratum[pieces.subject]))


def _late_entry(
    grid: StepGrid,
    pieces: Pieces,
    stratum: np.ndarray,
    entry: np.ndarray,
    nsteps: np.ndarray,
    first: np.ndarray,
    at_risk: np.ndarray,
) -> tuple[np.ndarray, Pieces]:
    """Left truncation: not at risk before entry; pieces cut at the entry step."""
    late = np.flatnonzero(entry > 0)
    je = np.zeros(len(entry), dtype=np.int64)
    je[late] = locate(grid, stratum[late], entry[late])
    at_risk = at_risk - _at_risk(grid, je[late])  # entered at t_j: not at risk at t_j
    m_e = np.where(entry > 0, grid.steps_through[je], 0)[pieces.subject]
    keep = pieces.m1 > m_e
    shift = np.maximum(m_e - pieces.m0, 0)
    s = grid.step_start
    f = first[pieces.subject]
    new_m0 = pieces.m0 + shift
    cum0 = pieces.cum0 + pieces.hazard * (
        s[f + np.minimum(new_m0, nsteps[pieces.subject] - 1)] - s[f + pieces.m0]
    )
    pieces = replace(pieces, m0=new_m0, cum0=cum0)
    return at_risk, Pieces(*(getattr(pieces, n)[keep] for n in Pieces.__dataclass_fields__))


def _step_hazard(grid: StepGrid, pieces: Pieces, ps: np.ndarray) -> np.ndarray:
    """Σ λ over the pieces active at each step: a difference array with one spare slot per
    stratum (pieces may end at the stratum's end)."""
    n_steps = len(grid.step_start)
    pad = grid.first_step[ps] + ps
    idx = np.concatenate([pad + pieces.m0, pad + pieces.m1])
    w = np.concatenate([pieces.hazard, -pieces.hazard])
    diff = np.bincount(idx, weights=w, minlength=n_steps + len(grid.first_step))
    keep = np.ones(len(diff), dtype=bool)
    keep[np.r_[grid.first_step[1:], n_steps] + np.arange(len(grid.first_step))] = False
    return np.cumsum(diff)[keep][:n_steps]


def locate(grid: StepGrid, stratum: np.ndarray, time: np.ndarray) -> np.ndarray:
    first = np.searchsorted(grid.stratum, stratum, side="left")
    last = np.searchsorted(grid.stratum, stratum, side="right")
    j = first.copy()
    # searchsorted within each stratum's slice of sorted times (strata are few: small loop)
    for k in np.unique(stratum):
        rows = stratum == k
        lo, hi = first[rows][0], last[rows][0]
        j[rows] = lo + np.searchsorted(grid.time[lo:hi], time[rows])
    return j


def _at_risk(grid: StepGrid, j: np.ndarray) -> np.ndarray:
    exits = np.bincount(j, minlength=len(grid.time)).astype(np.float64)
    total = np.cumsum(exits[::-1])[::-1]
    next_start = np.searchsorted(grid.stratum, grid.stratum, side="right")
    return total - np.append(total, 0.0)[next_start]


def _step_sums(
    grid: StepGrid, pieces: Pieces, piece_stratum: np.ndarray, n_steps: int
) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Σ over pieces active at each step of exp(Λ), λ exp(Λ), at the step's start and end."""
    first = grid.first_step[piece_stratum]
    s = grid.step_start
    ((b, a), (b2, a2)), e = active_sums(
        s,
        grid.step_stratum,
        grid.first_step,
        piece_stratum,
        pieces.m0,
        pieces.m1,
        s[first + pieces.m0],
        pieces.cum0,
        pieces.hazard,
        [np.zeros(n_steps), grid.step_len],
    )
    return (b, a, b2, a2), e


def finish(grid: StepGrid, sums: SubjectSums) -> IntervalSums:
    """Interval quantities from the (summed) additive sums — the inputs of relsurv's
    Ederer II and Pohar Perme formulas."""
    n_int = len(grid.time)
    iv, f = grid.step_interval, grid.step_len
    last_step = np.cumsum(np.bincount(iv, minlength=n_int)) - 1

    def running(x: np.ndarray) -> np.ndarray:  # cumulative sum restarting at each interval
        c = np.cumsum(x)
        first = np.searchsorted(iv, iv, side="left")
        return c - np.where(first > 0, c[np.maximum(first - 1, 0)], 0.0)

    expected = np.bincount(iv, weights=f * sums.step_hazard, minlength=n_int)
    counts = (sums.exits, sums.at_risk, sums.events, sums.weighted_events, sums.weighted_events_sq)
    if sums.inv_start is None or sums.hazard_inv_start is None:
        return IntervalSums(*counts, expected)
    assert sums.inv_end is not None and sums.hazard_inv_end is not None  # set together
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = running(sums.hazard_inv_start) / running(sums.inv_start) + running(
            sums.hazard_inv_end
        ) / running(sums.inv_end)
    weighted_at_risk = sums.inv_end[last_step] if n_int else np.zeros(0)
    pop = np.bincount(iv, weights=f * ratio / 2, minlength=n_int)
    return IntervalSums(*counts, expected, weighted_at_risk, pop)


def diff_sums(
    table: RateTable,
    group: np.ndarray,
    n_groups: int,
    time: np.ndarray,
    status: np.ndarray,
    age: np.ndarray,
    pos: np.ndarray,
    sex: np.ndarray,
    race: np.ndarray,
) -> tuple[np.ndarray, DiffSums]:
    """Sums of R ``relsurv::rs.diff`` per group on its grid (every day 1..max time and every
    exit time): ``yisi`` = Σ Y_i/S_P,i(t), ``yidlisi`` = Σ Y_i ΔΛ_P,i/S_P,i(t) (exact walk over
    the interval), ``dnisi``, ``dnisisq``; arrays of shape (n_groups, len(grid))."""
    tis = np.union1d(np.arange(1.0, float(time.max()) + 1.0), time)
    m = len(tis)
    pieces = walk(table, age, pos, sex, race, time)
    g = group[pieces.subject]
    j0 = np.searchsorted(tis, pieces.start, side="right")
    j1 = np.searchsorted(tis, pieces.end, side="right")
    points = np.tile(tis, n_groups)
    first = np.arange(n_groups) * m
    ((b, a),), _ = active_sums(
        points,
        np.repeat(np.arange(n_groups), m),
        first,
        g,
        j0,
        j1,
        pieces.start,
        pieces.cum0,
        pieces.hazard,
        [np.zeros(n_groups * m)],
    )
    width = np.diff(np.r_[0.0, tis])
    yidlisi = a * np.tile(width, n_groups)
    # intervals with a change of cell inside: the piece ending there had another hazard
    inner = (pieces.start > 0) & ~np.isin(pieces.start, tis)
    q = np.flatnonzero(inner)
    j = np.searchsorted(tis, pieces.start[q], side="left")
    lo = np.where(j > 0, tis[np.maximum(j - 1, 0)], 0.0)
    prev = q - 1
    overlap = pieces.start[q] - np.maximum(lo, pieces.start[prev])
    subj = pieces.subject[q]
    span = float(tis[-1]) + 1.0
    key = pieces.subject * span + pieces.start
    cur = np.searchsorted(key, subj * span + tis[j], side="left") - 1  # piece holding t_j
    lam_t = pieces.cum0[cur] + pieces.hazard[cur] * (tis[j] - pieces.start[cur])
    corr = (pieces.hazard[prev] - pieces.hazard[cur]) * overlap * np.exp(lam_t)
    yidlisi += np.bincount(group[subj] * m + j, weights=corr, minlength=n_groups * m)
    inv = np.exp(pieces.total(len(time)))
    at = group * m + np.searchsorted(tis, time)
    size = n_groups * m
    out = (
        b,
        yidlisi,
        np.bincount(at, weights=status * inv, minlength=size),
        np.bincount(at, weights=status * inv * inv, minlength=size),
    )
    return tis, DiffSums(*(v.reshape(n_groups, m) for v in out))
