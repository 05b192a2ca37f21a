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
from hypothesis import given, settings
from hypothesis import strategies as st

from netsurv.results.quantiles import QUANTILE_TOLERANCE, findq, step_quantiles

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
        kind = draw(st.sampled_from(["km", "levels", "any", "nan_tail"]))
        if kind == "km":  # non-increasing, often hitting the levels exactly
            v = np.sort(LEVELS[draw(st.lists(st.integers(0, 9), min_size=m, max_size=m))])[::-1]
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
