"""Issue 13: a seeded API-abuse fuzz of the public estimators.

Each case calls one of kaplan_meier, logrank, life_table, cumulative_incidence,
relative_survival, survival_table or cox on a small valid registry frame with one argument
replaced by a hostile value, or one analysed column replaced by hostile content (text, dates,
durations, complex numbers, inf, NaN, huge numbers, duplicated names, an empty frame). A
result or a :class:`netsurv.errors.NetsurvError` is fine; any other exception is a finding
(issue 13 counted 144 API-abuse cases, some raising pandas/numpy errors). Seeded, so a failure
reproduces; 300 cases in about 15 s.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import netsurv as ns
from netsurv.errors import NetsurvError

N_CASES = 300

HOSTILE_VALUES: list[Any] = [
    "x",
    "",
    None,
    -1,
    0,
    1,
    np.nan,
    np.inf,
    -np.inf,
    1e308,
    True,
    [],
    ["x"],
    ["grade", "grade"],
    {"a": 1},
    1j,
    pd.Timestamp("2020-01-01"),
    np.array([1.0, 2.0]),
    (12, "x"),
    [np.nan],
    [1e-9],
    "survival_months",
    "grade",
    object(),
]

# estimator -> (function, the arguments the fuzz replaces, fixed arguments)
ESTIMATORS: dict[str, tuple[Callable[..., Any], tuple[str, ...], dict[str, Any]]] = {
    "kaplan_meier": (
        ns.kaplan_meier,
        ("time", "event", "by", "conf_type", "conf_level", "weights", "entry", "event_value"),
        {"by": "grade"},
    ),
    "logrank": (
        ns.logrank,
        ("time", "event", "by", "strata", "rho", "trend", "scores", "weights", "test", "p", "q"),
        {"by": "grade"},
    ),
    "life_table": (
        ns.life_table,
        ("time", "event", "by", "width", "max_time", "weights", "conf_type", "conf_level"),
        {"by": "grade"},
    ),
    "cumulative_incidence": (
        ns.cumulative_incidence,
        ("time", "event", "by", "cause", "conf_type", "conf_level", "weights"),
        {"by": "grade"},
    ),
    "relative_survival": (
        ns.relative_survival,
        ("time", "event", "by", "method", "age", "sex", "year", "conf_level", "zero_time"),
        {"by": "grade"},
    ),
    "survival_table": (
        ns.survival_table,
        ("by", "times", "measure", "time", "event", "conf_level", "suppress_below", "style"),
        {"by": "grade"},
    ),
    "cox": (
        ns.cox,
        ("time", "event", "covariates", "strata", "weights", "ties", "conf_level"),
        {"covariates": ["grade", "age_dx"]},
    ),
}

COLUMNS = ("survival_months", "dead", "grade", "age_dx", "year_dx", "sex", "cancer_death", "w")


def _base() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 120
    return pd.DataFrame(
        {
            "survival_months": rng.integers(0, 120, n).astype(float),
            "dead": rng.random(n) < 0.5,
            "cancer_death": rng.random(n) < 0.3,
            "grade": rng.choice(["G1", "G2", "G3"], n),
            "age_dx": rng.integers(40, 80, n),
            "year_dx": rng.integers(2005, 2015, n),
            "sex": rng.choice(["male", "female"], n),
            "w": rng.integers(1, 4, n).astype(float),
        }
    )


def _hostile_column(rng: np.random.Generator, s: pd.Series) -> pd.Series | None:
    n = len(s)
    kinds: list[Callable[[], Any]] = [
        lambda: pd.Series(["x"] * n, index=s.index),
        lambda: pd.Series(np.nan, index=s.index),
        lambda: pd.Series(np.inf, index=s.index),
        lambda: s.where(rng.random(n) < 0.8, np.inf) if s.dtype.kind in "fi" else None,
        lambda: pd.Series(1e308, index=s.index),
        lambda: pd.Series(-1.0, index=s.index),
        lambda: pd.Timestamp("2020-01-01") + pd.to_timedelta(np.arange(n), unit="D"),
        lambda: pd.Series(pd.to_timedelta(np.arange(n), unit="D"), index=s.index),
        lambda: pd.Series(np.arange(n) + 1j, index=s.index),
        lambda: pd.Series(["unknown"] * n, index=s.index),
        lambda: pd.Series(np.arange(n), index=s.index),  # one group per row
        lambda: pd.Series([None] * n, index=s.index, dtype=object),
        lambda: pd.Series(0.0, index=s.index),
    ]
    return kinds[int(rng.integers(len(kinds)))]()


def _case(seed: int) -> tuple[str, Callable[[], Any]]:
    rng = np.random.default_rng(seed)
    name = list(ESTIMATORS)[int(rng.integers(len(ESTIMATORS)))]
    fn, params, fixed = ESTIMATORS[name]
    df = _base()
    kwargs = dict(fixed)
    what = int(rng.integers(4))
    if what == 0:  # one argument hostile
        param = params[int(rng.integers(len(params)))]
        kwargs[param] = HOSTILE_VALUES[int(rng.integers(len(HOSTILE_VALUES)))]
        label = f"{name}({param}={kwargs[param]!r})"
    elif what == 1:  # one column hostile
        col = COLUMNS[int(rng.integers(len(COLUMNS)))]
        new = _hostile_column(rng, df[col])
        if new is not None:
            df[col] = np.asarray(new) if not isinstance(new, pd.Series) else new.to_numpy()
        label = f"{name}(df with hostile {col!r})"
        if col == "w" and "weights" in params:
            kwargs["weights"] = "w"
    elif what == 2:  # a hostile frame
        shape = int(rng.integers(3))
        if shape == 0:
            df = df.iloc[:0]
        elif shape == 1:
            df = pd.concat([df, df[["survival_months"]]], axis=1)
        else:
            df = df.iloc[:1]
        label = f"{name}(df shape {['empty', 'duplicated column', 'one row'][shape]})"
    else:  # two hostile arguments at once
        picks = rng.choice(len(params), size=min(2, len(params)), replace=False)
        for i in picks:
            kwargs[params[int(i)]] = HOSTILE_VALUES[int(rng.integers(len(HOSTILE_VALUES)))]
        label = f"{name}({', '.join(f'{params[int(i)]}=...' for i in picks)}) seed {seed}"
    return label, lambda: fn(df, **kwargs)


def test_public_estimators_raise_only_netsurv_errors_on_hostile_arguments() -> None:
    foreign: list[str] = []
    outcomes = {"result": 0, "netsurv error": 0}
    for seed in range(N_CASES):
        label, call = _case(seed)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                call()
            outcomes["result"] += 1
        except NetsurvError:
            outcomes["netsurv error"] += 1
        except Exception as exc:  # noqa: BLE001 - the finding
            foreign.append(f"seed {seed}: {label}: {type(exc).__name__}: {str(exc)[:200]}")
    assert not foreign, f"{len(foreign)} foreign exceptions ({outcomes}):\n" + "\n".join(foreign)
