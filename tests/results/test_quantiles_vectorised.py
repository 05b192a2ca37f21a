"""The vectorised quantiles (all strata at once) equal R's findq rules applied per stratum.

Reference: :func:`netsurv.results.quantiles.findq`, the per-stratum transcription of R's
``quantile.survfit`` that tests/estimators/test_reference_r*.py check against R to 1e-10.
The random curves mix what the two search paths must handle: monotone Kaplan–Meier-like
curves, flat stretches exactly at 1 − p, values within the tolerance of p, NaN tails (a band
past S = 0), non-monotone curves (a log band's upper limit, relative survival above 1),
repeated values and empty strata. Equality is exact (both pick the same time points).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import netsurv as ns
import netsurv.results.quantiles as quantiles
from netsurv.results.quantiles import (
    QUANTILE_TOLERANCE,
    findq,
    non_increasing,
    step_quantiles,
    step_quantiles_of,
)

PROBS = np.array([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0])
LEVELS = np.array(
    [1.0, 0.9, 0.75, 0.5, 0.5 + 1e-9, 0.5 - 1e-9, 0.25, 0.1, 0.0, 1.0 - 1e-9, 1.0 + 1e-9, 1.2]
)


def _per_stratum(time, surv, offsets, start, probs):
    out = np.full((len(offsets) - 1, len(probs)), np.nan)
    for s in range(len(offsets) - 1):
        sl = slice(offsets[s], offsets[s + 1])
        x = np.r_[start, time[sl]]
        xmax = float(time[sl][-1]) if offsets[s + 1] > offsets[s] else np.nan
        for j, p in enumerate(probs):
            out[s, j] = findq(x, np.r_[0.0, 1.0 - surv[sl]], p, xmax, QUANTILE_TOLERANCE)
    return out


@st.composite
def curves(draw):
    k = draw(st.integers(1, 6))
    lengths = draw(st.lists(st.integers(0, 12), min_size=k, max_size=k))
    times, values = [], []
    for m in lengths:
        t = np.cumsum(draw(st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=m, max_size=m)))
        kind = draw(st.sampled_from(["km", "levels", "any", "nan_tail", "zero", "relative"]))
        if kind == "km":  # non-increasing, often hitting the levels exactly
            v = np.sort(LEVELS[draw(st.lists(st.integers(0, 9), min_size=m, max_size=m))])[::-1]
        elif kind == "zero":  # a Kaplan–Meier curve reaching 0 (its band is NaN from there)
            v = np.sort(LEVELS[draw(st.lists(st.integers(0, 8), min_size=m, max_size=m))])[::-1]
            v = np.r_[v[: max(m - 2, 0)], np.zeros(min(m, 2))]
        elif kind == "relative":  # relative survival: above 1 and rising, or rising late
            v = np.sort(np.array(draw(st.lists(st.floats(0.4, 1.3), min_size=m, max_size=m))))
            v = v if draw(st.booleans()) else np.r_[v[::-1][: m // 2], v[m // 2 :]]
        elif kind == "levels":  # arbitrary order over the special levels
            v = LEVELS[draw(st.lists(st.integers(0, 11), min_size=m, max_size=m))]
        elif kind == "any":
            v = np.array(draw(st.lists(st.floats(-0.2, 1.3), min_size=m, max_size=m)))
        else:
            v = np.sort(LEVELS[draw(st.lists(st.integers(0, 9), min_size=m, max_size=m))])[::-1]
            cut = draw(st.integers(0, m))
            v = np.r_[v[:cut], np.full(m - cut, np.nan)]
            if m and draw(st.booleans()):  # a finite value after NaN: the general path
                v[-1] = 0.3
        times.append(t.astype(np.float64))
        values.append(np.asarray(v, dtype=np.float64).reshape(m))
    offsets = np.r_[0, np.cumsum(lengths)]
    start = draw(st.sampled_from([0.0, 0.25]))
    return np.concatenate(times), np.concatenate(values), offsets, start


@settings(max_examples=400, deadline=None)
@given(curves())
def test_vectorised_quantiles_equal_findq_per_stratum(case) -> None:
    time, surv, offsets, start = case
    got = step_quantiles(time, surv, offsets, start, PROBS)
    expected = _per_stratum(time, surv, offsets, start, PROBS)
    np.testing.assert_array_equal(got, expected)


def test_flat_stretch_at_one_half_gives_its_midpoint() -> None:
    # hand check (R quantile.survfit): S = 0.5 from t = 2 until t = 4, then 0.25: median 3
    time = np.array([1.0, 2.0, 4.0])
    surv = np.array([0.75, 0.5, 0.25])
    got = step_quantiles(time, surv, np.array([0, 3]), 0.0, np.array([0.5]))
    assert got[0, 0] == 3.0


@settings(max_examples=300, deadline=None)
@given(curves())
def test_binary_search_and_row_by_row_paths_give_identical_quantiles(case) -> None:
    # the default dispatch (binary search where the stratum's curve never goes up) against
    # every stratum evaluated row by row; both must pick the same time points
    time, surv, offsets, start = case
    fast = step_quantiles_of(time, [surv], offsets, start, PROBS)[0]
    rows = step_quantiles_of(time, [surv], offsets, start, PROBS, search_all=False)[0]
    np.testing.assert_array_equal(fast, rows)
    monotone = non_increasing(surv, offsets)
    if monotone.all():  # the binary search alone, on curves that allow it
        searched = step_quantiles_of(time, [surv], offsets, start, PROBS, search_all=True)[0]
        np.testing.assert_array_equal(searched, rows)


@settings(max_examples=300, deadline=None)
@given(curves())
def test_non_increasing_means_the_cumulative_curve_never_decreases(case) -> None:
    # the binary search's premise, checked by brute force per stratum: y = 1 - S after the
    # origin 0 never decreases and a NaN is never followed by a number
    time, surv, offsets, _ = case
    got = non_increasing(surv, offsets)
    for s in range(len(offsets) - 1):
        y = np.r_[0.0, 1.0 - surv[offsets[s] : offsets[s + 1]]]
        if got[s]:
            nan = np.isnan(y)
            assert not (nan[:-1] & ~nan[1:]).any()
            finite = y[~nan]
            assert (finite[1:] >= finite[:-1]).all()


def test_long_curves_are_checked_across_blocks(monkeypatch) -> None:
    # hand-made: a rise at the end of a block of the check (blocks of 4 rows) is found, and
    # a rise at a stratum boundary is no rise
    monkeypatch.setattr(quantiles, "BLOCK", 4)
    surv = np.r_[np.linspace(1.0, 0.5, 4), 0.6, 0.4, np.linspace(0.35, 0.1, 6)]
    assert non_increasing(surv, np.array([0, 6, 12])).tolist() == [False, True]
    assert non_increasing(surv, np.array([0, 4, 12])).tolist() == [True, True]


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_medians_of_a_fit_and_its_band_equal_the_row_by_row_path(conf_type) -> None:
    # a real Kaplan–Meier fit: survival and lower limit searched, the log band's upper limit
    # (which goes up where the risk set is small) partly row by row; all against row by row
    rng = np.random.default_rng(11)
    n = 4000
    df = pd.DataFrame(
        {"t": rng.exponential(20, n), "d": rng.uniform(size=n) < 0.8, "g": rng.integers(0, 4, n)}
    )
    fit = ns.kaplan_meier(df, time="t", event="d", by="g", conf_type=conf_type)
    offsets = np.searchsorted(fit.stratum, np.arange(len(fit.strata) + 1))
    probs = np.array([0.1, 0.5, 0.9])
    curves = (fit.survival, fit.lower, fit.upper)
    fast = step_quantiles_of(fit.time, curves, offsets, 0.0, probs)
    rows = step_quantiles_of(fit.time, curves, offsets, 0.0, probs, search_all=False)
    for got, expected in zip(fast, rows, strict=True):
        np.testing.assert_array_equal(got, expected)
    assert np.isfinite(fast[0][:, 1]).all()  # every stratum reaches its median


def test_a_last_value_seen_before_is_not_the_curves_last_point() -> None:
    # hand check of R's rules (quantile.survfit drops repeated values keeping the first): S =
    # 0.5, 0.8, 0.5 at t = 1, 2, 3 gives y = 1 - S = 0, 0.5, 0.2, 0.5 from the origin; the
    # final 0.5 repeats t = 1's, so the last point kept is 0.2 at t = 2, and p = 0.2 lies on
    # it: the quantile is the midpoint of t = 2 and the last follow-up 3
    time = np.array([1.0, 2.0, 3.0])
    surv = np.array([0.5, 0.8, 0.5])
    got = step_quantiles(time, surv, np.array([0, 3]), 0.0, np.array([0.2]))
    expected = findq(np.r_[0.0, time], np.r_[0.0, 1.0 - surv], 0.2, 3.0, QUANTILE_TOLERANCE)
    assert got[0, 0] == expected == 2.5
