"""CumulativeIncidence.plot: the drawn steps are the Aalen–Johansen estimates (Agg backend)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from netsurv.errors import InputError  # noqa: E402
from netsurv.estimators.competing import cumulative_incidence  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    plt.close("all")
    yield
    plt.close("all")


def _df() -> pd.DataFrame:
    """The docstring example of cumulative_incidence, twice: groups x and y."""
    one = pd.DataFrame(
        {
            "t": [1, 2, 3, 4],
            "dead": [True, True, False, True],
            "cancer_death": [True, False, None, True],
        }
    )
    return pd.concat([one.assign(g="x"), one.assign(g="y")], ignore_index=True)


def test_lines_are_the_cumulative_incidences_and_risk_table_the_numbers_at_risk() -> None:
    ci = cumulative_incidence(_df(), time="t", by="g")
    ax = ci.plot(ticks=[0, 2, 4])
    cancer = [ln for ln in ax.lines if ln.get_gid() == "cif-cancer"]
    other = [ln for ln in ax.lines if ln.get_gid() == "cif-other"]
    assert len(cancer) == len(other) == 2
    # by hand (docstring of cumulative_incidence): cancer 1/4 at t = 1, 3/4 at t = 4;
    # other 1/4 at t = 2
    np.testing.assert_allclose(cancer[0].get_ydata(), [0, 0.25, 0.25, 0.25, 0.75])
    np.testing.assert_allclose(other[0].get_ydata(), [0, 0, 0.25, 0.25, 0.25])
    np.testing.assert_allclose(cancer[0].get_xdata(), [0, 1, 2, 3, 4])
    # at risk at 0, 2, 4 = #{t >= tick} per group: 4, 3, 1 (by hand)
    assert [t.get_text() for t in ax.texts if t.get_gid() == "risk-0"] == ["4", "3", "1"]
    assert [t.get_text() for t in ax.texts if t.get_gid() == "risk-label-1"] == ["y"]


def test_stacked_panels_top_out_at_one_minus_survival() -> None:
    ci = cumulative_incidence(_df(), time="t", by="g")
    axes = ci.plot(stacked=True, at_risk=False)
    assert len(axes) == 2
    other = next(c for c in axes[0].collections if c.get_gid() == "stack-other")
    top = other.get_paths()[0].vertices[:, 1].max()
    # all-cause 1 − S at t = 4 is 1 (the last subject dies): cancer 0.75 + other 0.25
    assert top == pytest.approx(1.0)
    with pytest.raises(InputError, match="stacked"):
        ci.plot(plt.subplots()[1], stacked=True)
