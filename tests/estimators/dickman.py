"""Dickman's Finnish colon-cancer teaching data (tests/reference/README_dickman.md), shared by
the tests that reproduce his published strs life tables and Stata excess-hazard models."""

from __future__ import annotations

import pandas as pd

from netsurv.ratetables import RateTable, from_qx_frame
from tests.paths import REFERENCE


def popmort() -> RateTable:
    """strs's ``popmort``: Finnish 1-year survival probabilities by sex, year and age."""
    pm = pd.read_csv(REFERENCE / "dickman_popmort.csv")
    frame = pd.DataFrame({"age": pm["_age"], "sex": pm["sex"], "year": pm["_year"]})
    return from_qx_frame(frame.assign(qx=1 - pm["prob"]), source="strs popmort (Finland)")


def colon(**read_options: object) -> pd.DataFrame:
    """The 6,274 localised patients with ``dead`` as strs's ``fail(status==1 2)``."""
    d = pd.read_csv(REFERENCE / "dickman_colon_localised.csv", **read_options)
    d["dead"] = d["status"].str.startswith("Dead").astype(int)
    return d
