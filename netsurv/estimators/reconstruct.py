"""Individual patient data rebuilt from a published Kaplan–Meier curve (Guyot et al. 2012).

Guyot P, Ades AE, Ouwens MJNM, Welton NJ. Enhanced secondary analysis of survival data:
reconstructing the data from published Kaplan-Meier survival curves. BMC Med Res Methodol
2012;12:9 (doi:10.1186/1471-2288-12-9). The steps of the paper's algorithm, in its notation:

1. the digitised points ("clicks") are sorted, made non-increasing by antitonic regression
   (pool-adjacent-violators, scipy's ``isotonic_regression``)
   and start at (0, 1);
2. the at-risk table cuts time into intervals; ``lower[i]`` is the first click at or after the
   i-th at-risk time;
3. within each interval but the last, the number censored is guessed from the curve
   (``n_i S(t_{i+1}) / S(t_i) - n_{i+1}``), spread evenly in time, the events at each click are
   chosen so that the rebuilt Kaplan–Meier follows the curve, and the censored count is
   corrected until the number at risk at the next at-risk time equals the published one;
4. the last interval runs to the end of the curve with the average censoring rate of the
   earlier intervals, corrected (when ``total_events`` is given) until the events add up.

Two places where R's kmdata ``ipd()`` departs from the paper are followed as the paper has it:
the last interval runs to the last digitised point (kmdata cuts the curve at the last at-risk
time), and an interval without a click gets one at its start, carrying the curve's value
forward (kmdata walks such an interval backwards and can produce negative events). Events are
never negative nor more than the number at risk. Clicks at the same time keep the lowest
survival (the value after the drop); kmdata averages them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from netsurv.errors import InputError
from netsurv.estimators.reconstruct_inputs import SHORTFALL, align, clean_curve, count, risk_table

__all__ = ["reconstruct_ipd"]

_MAX_ROUNDS = 200  # Guyot's correction loops converge in a few rounds; a cycle stops here
_SLACK = 0.02  # survival error of a digitised point allowed in that check
_MARGIN = 0.01  # ... and a drop clicked up to 1% of the curve's length early


def reconstruct_ipd(
    curve: pd.DataFrame,
    at_risk: pd.DataFrame | None = None,
    *,
    total_events: int | None = None,
    n: int | None = None,
) -> pd.DataFrame:
    """Rebuild individual event and censoring times from a digitised Kaplan–Meier curve.

    Implements Guyot et al. (2012), BMC Med Res Methodol 12:9.

    Parameters
    ----------
    curve : DataFrame with columns ``time`` and ``survival``: the digitised points of one
        arm's curve, in any order; survival as a proportion in [0, 1] or a percentage (read as
        a percentage when any value exceeds 1.5). Points that go up are smoothed by antitonic
        regression; points at the same time keep the lowest survival; points at time 0 are
        replaced by the curve's start (0, 1).
    at_risk : DataFrame with columns ``time`` and ``n_at_risk`` (the numbers at risk printed
        under the figure), or None. It starts at time 0 (or ``n`` supplies time 0) and never
        increases; rows after the first 0 are ignored, as are points of the curve after it.
    total_events : the published number of events of the arm, if known.
    n : number of patients at time 0. Required without ``at_risk``.

    Returns
    -------
    pandas.DataFrame
        One row per patient (as many as at risk at time 0): ``time`` (the curve's time unit)
        and ``event`` (1 = event, 0 = censored), sorted by time. Events fall on digitised
        times; censorings at mid-points between clicks, and patients still at risk at the end
        of the curve are censored at its last time.

    Raises
    ------
    InputError
        Missing columns, negative times, survival outside [0, 1] (or 0–100%), an at-risk
        table that increases, does not start at 0, or has patients at risk after the curve
        reached 0, or a curve that falls too far for the numbers at risk: a Kaplan–Meier curve
        has S(t_i+1-) / S(t_i-) >= n_i+1 / n_i, checked with 0.02 of survival, 2 patients and
        1% of the time axis to spare (smaller shortfalls are absorbed, as Guyot does).

    Examples
    --------
    A curve without censoring: 10 patients, deaths at months 1, 2 and 4 (two). Kaplan–Meier of
    the rebuilt data gives back the curve.

    >>> import pandas as pd
    >>> import netsurv as ns
    >>> curve = pd.DataFrame({"time": [0.99, 1, 1.99, 2, 3.99, 4, 6],
    ...                       "survival": [1, .9, .9, .8, .8, .6, .6]})
    >>> risk = pd.DataFrame({"time": [0, 3, 6], "n_at_risk": [10, 8, 6]})
    >>> ipd = ns.reconstruct_ipd(curve, risk)
    >>> ipd.groupby("event")["time"].agg(["count", "max"])
           count  max
    event
    0          6  6.0
    1          4  4.0
    >>> ns.kaplan_meier(ipd, time="time", event="event").at([5])["survival"].round(3).tolist()
    [0.6]
    """
    t, s = clean_curve(curve)
    t_risk, n_risk = risk_table(at_risk, n)
    t, s, t_risk, n_risk = align(t, s, t_risk, n_risk)
    if total_events is not None:
        total_events = count(total_events, "total_events")
        if total_events > n_risk[0]:
            raise InputError(
                f"total_events={total_events} exceeds the {n_risk[0]} patients at time 0."
            )
    d, cen = _Guyot(t, s, t_risk, n_risk).run(total_events)
    return _patients(t, d, cen, int(n_risk[0]))


def _bin_counts(values: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    """Counts of ``values`` in the bins (b_j, b_j+1] (first bin closed), with R hist()'s fuzz."""
    nb = len(breaks)
    h = np.diff(breaks)
    if nb > 5:
        scale = np.median(h)
    elif nb <= 3:
        scale = np.ptp(values)
    else:
        scale = h[h > 0].min()
    fuzzy = breaks + 1e-7 * scale * np.r_[-1.0, np.ones(nb - 1)]
    idx = np.clip(np.searchsorted(fuzzy, values, side="left") - 1, 0, nb - 2)
    return np.bincount(idx, minlength=nb - 1)


class _Guyot:
    """State of Guyot's algorithm: events ``d`` at clicks, censorings ``cen`` between clicks."""

    def __init__(
        self, t: np.ndarray, s: np.ndarray, t_risk: np.ndarray, n_risk: np.ndarray
    ) -> None:
        self.t, self.s, self.t_risk = t, s, t_risk
        self.lower = np.searchsorted(t, t_risk, side="left")  # first click at or after t_i
        self.n_risk = n_risk.copy()
        k = len(t)
        self.d = np.zeros(k, dtype=np.int64)
        self.cen = np.zeros(k, dtype=np.int64)  # cen[k]: censored between clicks k and k+1
        self.n_hat = np.full(k + 1, n_risk[0] + 1, dtype=np.int64)
        self.km = np.ones(k)
        self.last_event = np.zeros(len(n_risk), dtype=np.int64)

    def run(self, total_events: int | None) -> tuple[np.ndarray, np.ndarray]:
        m = len(self.n_risk)
        censored = [self._interval(i) for i in range(m - 1)]
        span = self.t[self.lower[m - 1] - 1] - self.t[self.lower[0]] if m > 1 else 0.0
        lo, hi = self.lower[m - 1], len(self.t) - 1
        n_cens = 0
        if m > 1 and span > 0:  # the earlier intervals' average censoring rate
            rate = sum(censored) / span
            n_cens = min(round(rate * (self.t[hi] - self.t[lo])), int(self.n_risk[m - 1]))
        n_cens = self._last_interval(n_cens)
        if total_events is not None:
            self._match_total(total_events, n_cens)
        return self.d, self.cen

    def _spread(self, lo: int, hi: int, n_cens: int) -> int:
        """Censor ``n_cens`` patients evenly between clicks lo and hi; returns the count."""
        self.cen[lo:hi] = 0
        if n_cens <= 0 or hi <= lo:
            return 0
        j = np.arange(1, n_cens + 1)
        times = self.t[lo] + j * (self.t[hi] - self.t[lo]) / (n_cens + 1)
        self.cen[lo:hi] = _bin_counts(times, self.t[lo : hi + 1])
        return n_cens

    def _walk(self, i: int, stop: int, *, first: bool = False) -> int:
        """Events at clicks lower[i]..stop-1 so the rebuilt KM follows the curve."""
        lo = self.lower[i]
        self.n_hat[lo] = self.n_risk[i]
        last = int(self.last_event[i])
        for k in range(lo, stop):
            n_k = self.n_hat[k]
            if first and k == lo:
                self.d[k], self.km[k] = 0, 1.0
            elif n_k > 0 and self.km[last] > 0:
                drop = round(n_k * (1.0 - self.s[k] / self.km[last]))
                self.d[k] = min(max(drop, 0), n_k)  # never negative, never more than at risk
                self.km[k] = self.km[last] * (1.0 - self.d[k] / n_k)
            else:
                self.d[k], self.km[k] = 0, self.km[last]
            if n_k - self.d[k] - self.cen[k] < 0:  # no more censored than remain
                self.cen[k] = n_k - self.d[k]
            self.n_hat[k + 1] = n_k - self.d[k] - self.cen[k]
            if self.d[k]:
                last = k
        return last

    def _interval(self, i: int) -> int:
        """Interval i (not the last): censoring corrected until n at risk matches at t_i+1."""
        lo, hi = self.lower[i], self.lower[i + 1]
        target = int(self.n_risk[i + 1])
        s_lo = self.s[lo] if self.s[lo] > 0 else 1.0
        n_cens = round(self.n_risk[i] * self.s[hi] / s_lo - target)
        seen: set[int] = set()
        last = int(self.last_event[i])
        for _ in range(_MAX_ROUNDS):
            n_cens = self._spread(lo, hi, n_cens)
            last = self._walk(i, hi, first=i == 0)
            n_cens += int(self.n_hat[hi]) - target
            reached = self.n_hat[hi]
            if not (reached > target or (reached < target and n_cens > 0)) or n_cens in seen:
                break
            seen.add(n_cens)
        if self.n_hat[hi] < target:
            self._shortfall(i)
            self.n_risk[i + 1] = self.n_hat[hi]
        self.last_event[i + 1] = last
        return n_cens  # as Guyot's code keeps it (negative after a shortfall)

    def _shortfall(self, i: int) -> None:
        """Refuse a table that even a generous reading of the curve cannot meet.

        Kaplan–Meier guarantees S(t_i+1-) / S(t_i-) >= n_i+1 / n_i. The check reads the curve
        1% of its length before t_i+1 (a drop at an at-risk time may be clicked just before
        it), allows 0.02 of digitising error on each value and 2 patients of rounding.
        """
        t_lo, t_hi = self.t_risk[i], self.t_risk[i + 1]
        before = np.searchsorted(self.t, [t_lo, t_hi - _MARGIN * self.t[-1]], side="left") - 1
        s_start, s_end = np.where(before >= 0, self.s[np.maximum(before, 0)], 1.0)
        start, published = int(self.n_risk[i]), int(self.n_risk[i + 1])
        ratio = min(1.0, (s_end + _SLACK) / max(s_start - _SLACK, 1e-12))
        if published > start * ratio + SHORTFALL:
            raise InputError(
                f"the curve and the at-risk table cannot be reconciled between times {t_lo:g} "
                f"and {t_hi:g}: the curve falls from {s_start:.3g} to {s_end:.3g}, so at most "
                f"{start * ratio + SHORTFALL:.0f} of the {start} patients at risk at {t_lo:g} "
                f"can remain, but the table says {published}. Check that curve and table "
                "belong to the same arm and that the axes were calibrated."
            )

    def _last_interval(self, n_cens: int) -> int:
        m = len(self.n_risk)
        lo, hi = self.lower[m - 1], len(self.t) - 1
        n_cens = self._spread(lo, hi, n_cens)
        self._walk(m - 1, hi + 1)
        return n_cens

    def _match_total(self, total: int, n_cens: int) -> None:
        """Guyot's correction of the last interval's censoring to give ``total`` events."""
        m = len(self.n_risk)
        lo, hi = self.lower[m - 1], len(self.t) - 1
        before = int(self.d[:lo].sum()) if m > 1 else 0
        if m > 1 and before >= total:  # already too many: nothing more happens after t_m
            self.d[lo:], self.cen[lo:hi] = 0, 0
            return
        seen: set[int] = set()
        for _ in range(_MAX_ROUNDS):
            found = int(self.d.sum())
            if not (found > total or (found < total and n_cens > 0)) or n_cens in seen:
                return
            seen.add(n_cens)
            n_cens = self._spread(lo, hi, n_cens + found - total)
            self._walk(m - 1, hi + 1)


def _patients(t: np.ndarray, d: np.ndarray, cen: np.ndarray, n0: int) -> pd.DataFrame:
    """One row per patient: events at clicks, censorings at mid-points, the rest at the end."""
    mids = (t[:-1] + t[1:]) / 2.0
    event_t = np.repeat(t, d)
    cens_t = np.repeat(mids, cen[:-1])
    rest = max(n0 - len(event_t) - len(cens_t), 0)
    time = np.r_[event_t, cens_t, np.full(rest, t[-1])]
    event = np.r_[np.ones(len(event_t), np.int64), np.zeros(len(cens_t) + rest, np.int64)]
    order = np.argsort(time, kind="stable")
    return pd.DataFrame({"time": time[order], "event": event[order]})
