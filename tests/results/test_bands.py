"""The confidence band evaluated in blocks, at some rows only, or when first asked for.

Every limit depends on its own S and se only, so the band of a long curve computed in
cache-sized blocks, at a few rows (``at()``), or for one stratum (``fit[...]``) must equal the
band computed at once; equality is exact. The formulas themselves are checked against R in
tests/estimators/test_reference_r*.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
import netsurv.results.bands as bands
import netsurv.results.curves as curves
import netsurv.results.quantiles as quantiles
from netsurv.results.bands import confidence_band

CONF_TYPES = ["log", "log-log", "plain"]


def _curve(seed: int = 3, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    survival = np.r_[1.0, np.sort(rng.uniform(0, 1, n - 4))[::-1], 0.0, 0.0, np.nan]
    se_log = np.r_[0.0, np.sort(rng.uniform(0, 2, n - 4)), np.inf, np.nan, np.nan]
    return survival, se_log


@pytest.mark.parametrize("conf_type", CONF_TYPES)
@pytest.mark.parametrize("upper_limit", [1.0, None])
def test_blocks_give_the_band_of_one_evaluation(monkeypatch, conf_type, upper_limit) -> None:
    survival, se_log = _curve()
    whole = confidence_band(survival, se_log, conf_type, 0.95, upper_limit)
    monkeypatch.setattr(bands, "BLOCK", 7)
    blocks = confidence_band(survival, se_log, conf_type, 0.95, upper_limit)
    rows = np.array([0, 5, 300, len(survival) - 3, len(survival) - 1])
    some = confidence_band(survival[rows], se_log[rows], conf_type, 0.95, upper_limit)
    np.testing.assert_array_equal(blocks[0], whole[0])
    np.testing.assert_array_equal(blocks[1], whole[1])
    np.testing.assert_array_equal(some[0], whole[0][rows])
    np.testing.assert_array_equal(some[1], whole[1][rows])


def _data(seed: int = 5, n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "t": np.round(rng.exponential(30, n), 1),
            "d": rng.uniform(size=n) < 0.7,
            "g": rng.choice(["a", "b", "c"], n),
        }
    )


@pytest.mark.parametrize("conf_type", CONF_TYPES)
def test_the_band_asked_for_late_equals_the_band_of_the_curve(conf_type) -> None:
    df = _data()
    fit = ns.kaplan_meier(df, time="t", event="d", by="g", conf_type=conf_type)
    before = fit.at([5, 20, 60, 200])  # the band at these rows only
    lower, upper = confidence_band(fit.survival, fit.se_log, conf_type, 0.95)
    np.testing.assert_array_equal(fit.lower, lower)
    np.testing.assert_array_equal(fit.upper, upper)
    after = ns.kaplan_meier(df, time="t", event="d", by="g", conf_type=conf_type)
    _ = after.lower  # the whole band first
    pd.testing.assert_frame_equal(after.at([5, 20, 60, 200]), before, check_exact=True)
    one = fit["b"]
    rows = fit.stratum == 1
    np.testing.assert_array_equal(one.lower, lower[rows])
    np.testing.assert_array_equal(one.upper, upper[rows])
    frame = fit.to_frame()
    np.testing.assert_array_equal(frame["lower"].to_numpy(), lower)


@pytest.mark.parametrize("conf_type", CONF_TYPES)
def test_quantiles_reading_the_band_row_by_row_equal_those_of_the_laid_out_band(
    monkeypatch, conf_type
) -> None:
    # long curves do not lay the band out for quantile(): the check computes it block by
    # block, the searches at their rows; the numbers must be those of the whole band
    monkeypatch.setattr(curves, "_LAY_OUT_BAND", 0)
    monkeypatch.setattr(quantiles, "BLOCK", 64)
    df = _data(seed=8, n=5000)
    lazy = ns.kaplan_meier(df, time="t", event="d", by="g", conf_type=conf_type)
    got = lazy.quantile([0.1, 0.25, 0.5, 0.75])
    assert "_band" not in lazy.__dict__  # the band was not laid out
    laid_out = ns.kaplan_meier(df, time="t", event="d", by="g", conf_type=conf_type)
    _ = laid_out.upper
    pd.testing.assert_frame_equal(got, laid_out.quantile([0.1, 0.25, 0.5, 0.75]), check_exact=True)
