"""Trials in the catalog from digitised Kaplan–Meier curves shipped as CSV.

A catalog row whose ``dataset`` is ``digitised:NAME`` is checked on patient data rebuilt with
:func:`netsurv.reconstruct_ipd` from two bundled files in ``netsurv/datasets/data/`` (each
documented there with its source and licence):

* ``NAME_curve.csv``: ``arm, time, survival`` — the digitised points of each arm's curve;
* ``NAME_at_risk.csv``: ``arm, time, n_at_risk`` — the at-risk table under the figure.

Each arm is rebuilt on its own; the result has the columns ``time``, ``event`` and ``arm``.
"""

from __future__ import annotations

import importlib.resources

import pandas as pd

from netsurv.errors import InputError
from netsurv.estimators.reconstruct import reconstruct_ipd

__all__ = ["PREFIX", "load_digitised", "rebuild_arms"]

PREFIX = "digitised:"


def rebuild_arms(curve: pd.DataFrame, at_risk: pd.DataFrame, *, arm: str = "arm") -> pd.DataFrame:
    """Rebuild the patients of every arm of a digitised figure (one ``reconstruct_ipd`` each).

    Parameters
    ----------
    curve : ``arm, time, survival`` (digitised points of every arm).
    at_risk : ``arm, time, n_at_risk`` (the at-risk table of every arm).
    arm : name of the arm column in both.

    Returns
    -------
    pandas.DataFrame with ``time``, ``event`` and the arm column, arms in order of appearance.

    Examples
    --------
    >>> curve = pd.DataFrame({"arm": ["a", "a", "b", "b"], "time": [1, 2, 1, 2],
    ...                       "survival": [0.9, 0.9, 0.8, 0.8]})
    >>> risk = pd.DataFrame({"arm": ["a", "b"], "time": [0, 0], "n_at_risk": [10, 5]})
    >>> rebuild_arms(curve, risk).groupby("arm")["event"].agg(["size", "sum"])
         size  sum
    arm
    a      10    1
    b       5    1
    """
    for name, frame in (("curve", curve), ("at_risk", at_risk)):
        if arm not in frame:
            raise InputError(f"{name} has no arm column {arm!r} (columns: {list(frame.columns)}).")
    missing = sorted(set(curve[arm].astype(str)) ^ set(at_risk[arm].astype(str)))
    if missing:
        raise InputError(f"arms {missing} are in only one of the curve and the at-risk table.")
    parts = []
    for label in pd.unique(curve[arm].astype(str)):
        one = reconstruct_ipd(
            curve[curve[arm].astype(str) == label], at_risk[at_risk[arm].astype(str) == label]
        )
        parts.append(one.assign(**{arm: label}))
    return pd.concat(parts, ignore_index=True)


def load_digitised(dataset: str) -> pd.DataFrame:
    """The rebuilt patients of a bundled digitised figure (``digitised:NAME`` or ``NAME``).

    >>> df = load_digitised("digitised:radiant4_pfs")
    >>> df.groupby("arm").size().to_dict()
    {'everolimus': 205, 'placebo': 97}
    """
    name = dataset.removeprefix(PREFIX)
    folder = importlib.resources.files("netsurv.datasets") / "data"
    frames = []
    for suffix in ("curve", "at_risk"):
        path = folder / f"{name}_{suffix}.csv"
        if not path.is_file():
            raise InputError(f"no bundled digitised curve {name!r}: {path.name} is missing.")
        with importlib.resources.as_file(path) as file:
            frames.append(pd.read_csv(file, dtype={"arm": "object"}))
    return rebuild_arms(frames[0], frames[1])
