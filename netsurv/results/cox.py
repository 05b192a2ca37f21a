"""The result of a Cox proportional-hazards model (fitted by lifelines)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["CoxResult"]


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox model (frozen; build with :func:`cox`).

    ``hazard_ratios`` has one row per term, reference levels included: ``variable``,
    ``level`` (NA for numeric covariates), ``term``, ``reference`` (bool), ``hr``, ``lower``,
    ``upper`` (CI at ``conf_level``), ``coef`` (log HR), ``std_err``, ``p_value`` (Wald),
    ``ph_statistic`` and ``ph_p_value`` (Schoenfeld test of that term).
    ``ph_test`` is lifelines' test table (``term``, ``statistic``, ``p_value``), computed on
    ``ph_rows`` rows (all rows, or a random sample for large data: see ``ph_sample``).
    """

    hazard_ratios: pd.DataFrame
    ph_test: pd.DataFrame
    n: int
    n_events: int
    concordance: float
    conf_level: float
    time: str
    event: str
    covariates: tuple[str, ...]
    strata: tuple[str, ...]
    excluded: pd.Series
    warnings: tuple[str, ...] = ()
    ph_rows: int = 0
    model: Any = field(default=None, repr=False, compare=False)
    ties: str = "efron"
    weights: str | None = None
    entry: str | None = None
    robust: bool = False

    @property
    def method(self) -> str:
        engine = "lifelines, Efron ties" if self.ties == "efron" else "statsmodels, Breslow ties"
        extra = [f"stratified by {', '.join(self.strata)}"] if self.strata else []
        extra += [f"case weights {self.weights}"] if self.weights else []
        extra += [f"entry {self.entry}"] if self.entry else []
        extra += ["robust SE"] if self.robust else []
        return f"Cox proportional hazards ({engine}){''.join(', ' + e for e in extra)}"

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`hazard_ratios`."""
        return self.hazard_ratios.copy()

    def forest_frame(self) -> pd.DataFrame:
        """Rows for :func:`netsurv.plot_forest`: a header per categorical variable, then its
        levels (indented), reference levels marked."""
        rows: list[dict[str, Any]] = []
        for var, part in self.hazard_ratios.groupby("variable", sort=False):
            if part["level"].isna().all():
                rows.append({**part.iloc[0].to_dict(), "label": f"{var} (per unit)"})
                continue
            rows.append(
                {
                    "label": str(var),
                    "hr": np.nan,
                    "lower": np.nan,
                    "upper": np.nan,
                    "reference": False,
                    "ph_p_value": np.nan,
                }
            )
            for rec in part.to_dict("records"):
                rows.append({**rec, "label": f"    {rec['level']}"})
        return pd.DataFrame(rows)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Forest plot of the hazard ratios with the PH test beside them (see
        :func:`netsurv.plot_forest`)."""
        from netsurv.present.plotting import plot_forest

        return plot_forest(self, ax=ax, **kwargs)

    def _repr_html_(self) -> str:
        return str(self.hazard_ratios.to_html(index=False))

    def __repr__(self) -> str:
        cols = ["term", "hr", "lower", "upper", "p_value", "ph_p_value"]
        return (
            f"CoxResult(n={self.n}, events={self.n_events}, concordance={self.concordance:.3f})"
            f"\n{self.hazard_ratios[cols].to_string(index=False)}"
        )
