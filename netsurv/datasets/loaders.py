"""Loaders of the bundled data sets (files in ``netsurv/datasets/data/``, see its README.md)."""

from __future__ import annotations

import importlib.resources
from typing import Literal

import pandas as pd

from netsurv import codes
from netsurv.errors import InputError

__all__ = ["frame_checksum", "load_radiant4", "load_synthetic_registry"]

_RADIANT4 = {"pfs": "radiant4_pfs.csv", "os": "radiant4_os.csv"}


def load_radiant4(endpoint: Literal["pfs", "os"] = "pfs") -> pd.DataFrame:
    """RADIANT-4 individual patient data reconstructed from the published Kaplan-Meier curves.

    Parameters
    ----------
    endpoint : ``"pfs"`` (progression-free survival by central review, paper figure 2A) or
        ``"os"`` (overall survival at the first interim analysis, figure 2C).

    Returns
    -------
    pandas.DataFrame with 302 rows: ``time`` (float, months from randomisation), ``event``
    (int 0/1: 1 = progression or death for PFS, death for OS; 0 = censored) and ``arm``
    (str: ``"everolimus"``, n = 205, or ``"placebo"``, n = 97). Real trial (Yao et al., Lancet
    2016), reconstructed with the Guyot algorithm by the R package kmdata (MIT licence).

    Examples
    --------
    >>> df = load_radiant4("pfs")
    >>> df.shape, df.groupby("arm")["event"].sum().to_dict()
    ((302, 3), {'everolimus': 109, 'placebo': 60})
    """
    if endpoint not in _RADIANT4:
        raise InputError(f"load_radiant4: endpoint must be 'pfs' or 'os', got {endpoint!r}.")
    path = importlib.resources.files("netsurv.datasets") / "data" / _RADIANT4[endpoint]
    with importlib.resources.as_file(path) as file:
        df = pd.read_csv(file, dtype={"time": "float64", "event": "int64", "arm": "object"})
    return df


def load_synthetic_registry(*, classify: bool = True, truth: bool = True) -> pd.DataFrame:
    """The bundled synthetic NET/NEC registry: 100,000 simulated tumours (not real people).

    Made by ``data/make_synthetic_registry.py`` as ``simulate_registry(100_000, seed=2022,
    truth=True, classify=False)`` and stored as Parquet with compact dtypes; the canonical
    dtypes are restored here.

    Parameters
    ----------
    classify : add ``site_group``, ``extent``, ``grade``, ... with :func:`netsurv.classify`
        (with the code tables of the installed netsurv).
    truth : keep the simulator's ``sim_*`` columns (needed by
        :func:`netsurv.datasets.true_survival`).

    Examples
    --------
    >>> df = load_synthetic_registry(classify=False)
    >>> len(df), int(df["year_dx"].min()), int(df["year_dx"].max())
    (100000, 2000, 2021)
    """
    path = importlib.resources.files("netsurv.datasets") / "data" / "synthetic_registry.parquet"
    with importlib.resources.as_file(path) as file:
        df = from_compact(pd.read_parquet(file))
    if not truth:
        df = df.drop(columns=[c for c in df if c.startswith("sim_")])
    return codes.classify(df) if classify else df


def to_compact(df: pd.DataFrame) -> pd.DataFrame:
    """Categorical codes and float32/int16 numbers for storage (lossless for simulated data)."""
    out = df.copy()
    for c in out:
        s = out[c]
        if s.dtype == object:
            out[c] = s.astype("category")
        elif c in ("year_dx", "month_dx"):
            out[c] = s.astype("Int16")
    return out


def from_compact(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`to_compact`: object codes (NaN for missing), Int64 years, float64 numbers."""
    out = df.copy()
    for c in out:
        s = out[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            values = s.astype(object)
            out[c] = values.where(values.notna(), float("nan"))
        elif c in ("year_dx", "month_dx"):
            out[c] = s.astype("Int64")
    for c in ("date_dx", "date_last_contact"):
        if c in out:
            out[c] = out[c].astype("datetime64[ns]")
    return out


def frame_checksum(df: pd.DataFrame) -> str:
    """SHA-256 of a frame's *content*: column names, kinds and values, not the file's bytes.

    Codes are hashed as UTF-8 text (missing as a separator-free marker), numbers as
    little-endian float64 (one NaN bit pattern), booleans as int8 (NA = -1) and dates as int64
    days. A Parquet file rewritten by another pyarrow version therefore keeps its checksum, as
    long as it holds the same values.
    """
    import hashlib

    import numpy as np

    digest = hashlib.sha256()
    for name in sorted(df.columns):
        s = df[name]
        digest.update(f"\x1e{name}\x1f".encode())
        if s.dtype == object or isinstance(s.dtype, pd.CategoricalDtype | pd.StringDtype):
            text = s.astype(object)
            body = "\x1f".join("\x00" if pd.isna(v) else str(v) for v in text)
            digest.update(b"T" + body.encode())
        elif str(s.dtype) == "boolean" or s.dtype == bool:
            digest.update(b"B" + s.astype("Int8").fillna(-1).to_numpy(dtype="<i1").tobytes())
        elif pd.api.types.is_datetime64_any_dtype(s):
            days = s.to_numpy(dtype="datetime64[D]").astype("<i8")
            digest.update(b"D" + np.where(s.isna(), np.iinfo(np.int64).min, days).tobytes())
        else:
            values = pd.to_numeric(s).astype("float64").to_numpy(dtype="<f8", na_value=np.nan)
            digest.update(b"F" + np.where(np.isnan(values), np.nan, values).tobytes())
    return digest.hexdigest()
