"""The report's Cox model section: hazard ratios adjusted for grade, extent, age and site
group, a forest plot, the proportional-hazards test, and its n and events in the page's
disclosure ledger."""

from __future__ import annotations

from typing import Any

import numpy as np

from netsurv.errors import InputError
from netsurv.estimators.cox import cox
from netsurv.present.figure_counts import save_figure
from netsurv.present.sections import Render, esc

__all__ = ["cox_section"]


def cox_section(page: Any) -> Render:
    """The Cox model section; ``page`` is the report being built (its frame, options,
    ledger and output folder)."""
    df, opts, th = page.df, page.opts, page.opts["suppress_below"]
    covs = [c for c in ("grade", "extent", "age_dx", "site_group") if c in df]
    if "grade" not in covs or len(covs) < 2:
        raise InputError("needs grade and at least one of extent, age_dx, site_group")
    keep = df["exclusion"].isna().to_numpy() if "exclusion" in df else np.ones(len(df), dtype=bool)
    dropped = []
    for c in covs:  # levels with fewer than th cases are left out (suppression)
        if c != "age_dx":
            vc = df.loc[keep, c].astype(str).value_counts()
            small = vc[vc < th].index
            if len(small):
                dropped.append(f"{c}: {', '.join(map(str, small))}")
                keep &= ~df[c].astype(str).isin(small).to_numpy()
    res = cox(df[keep], time=opts["time"], event=opts["event"], covariates=covs)
    used = keep & df[[opts["time"], opts["event"], *covs]].notna().all(axis=1).to_numpy()
    dead = df[opts["event"]].astype("Float64").fillna(0).to_numpy() > 0
    for name, rows, value in (("n", used, res.n), ("events", used & dead, res.n_events)):
        good = int(rows.sum()) == int(value)
        page.ledger.add(("cox", name), page.lift(rows) if good else None, int(value), hide=not good)
    res.hazard_ratios.to_csv(page.out / "cox_hazard_ratios.csv", index=False)

    def render(hidden: set[Any]) -> str:
        shown = ("cox", "n") not in hidden and ("cox", "events") not in hidden
        counts = f" (n = {res.n:,}, events = {res.n_events:,})" if shown else ""
        save_figure(
            res.plot(title=f"Hazard ratios, adjusted for each other{counts}"),
            page.out / "cox_forest.png",
        )
        worst = res.ph_test["p_value"].min()
        sampled = (
            f", on a random sample of {res.ph_rows:,} rows" if res.ph_rows < res.n and shown else ""
        )
        note = (
            f"Cox proportional-hazards model (lifelines CoxPHFitter, Efron ties) of "
            f"{esc(opts['event'])} on {', '.join(covs)} (age per year). Proportional hazards: "
            f"scaled Schoenfeld residuals against ranked time (lifelines "
            f"proportional_hazard_test{sampled}); smallest per-term p = {worst:.3g}"
            + (
                " — some hazard ratios change over follow-up; read them as averages."
                if worst < 0.05
                else "."
            )
            + (f" Left out (fewer than {th} cases): {esc('; '.join(dropped))}." if dropped else "")
        )
        return (
            f'<p><img src="cox_forest.png" alt="forest plot"></p><p class="note">{note} '
            '<a href="cox_hazard_ratios.csv">cox_hazard_ratios.csv</a></p>'
        )

    return render
