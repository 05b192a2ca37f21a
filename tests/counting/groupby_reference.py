"""Slow, obvious counts for the float-time counting paths to equal.

Merge near-tied times with the public :func:`timefix` (R's ``aeqSurv``, an index sort of all
times), then count exits and events per (stratum ``g``, merged time ``t``) with pandas
``groupby``; the number at risk is the reverse cumulative sum of the exits in each stratum.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from netsurv.counting.kernel import counts, timefix


def groupby_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Columns g, t, n_events, exits, n_censored, n_at_risk of ``df`` (columns t, d, g)."""
    fixed, _ = timefix(df["t"].to_numpy(dtype=np.float64))
    g = df.assign(t=fixed).groupby(["g", "t"], sort=True)["d"]
    out = pd.DataFrame({"n_events": g.sum().astype(float), "exits": g.size().astype(float)})
    out = out.reset_index()
    out["n_censored"] = out["exits"] - out["n_events"]
    out["n_at_risk"] = out[::-1].groupby("g")["exits"].cumsum()[::-1]
    return out


def assert_counts_equal_reference(df: pd.DataFrame) -> None:
    """netsurv's counts of ``df`` (columns t, d, g) equal :func:`groupby_counts` exactly
    (counts are integers in float64)."""
    got = counts(df, time="t", event="d", by="g").to_frame()
    ref = groupby_counts(df)
    np.testing.assert_array_equal(got["g"].to_numpy(), ref["g"].to_numpy())
    for col in ["t", "n_events", "n_censored", "n_at_risk"]:
        name = "time" if col == "t" else col
        np.testing.assert_array_equal(got[name].to_numpy(), ref[col].to_numpy(), err_msg=col)
