"""SEER cause-specific death classification (``seer_cause_specific``).

Source: "SEER Cause-specific Death Classification", https://seer.cancer.gov/causespecific/ (SEER
program, NCI), with the SEER site recode ICD-O-3/WHO 2008
(https://seer.cancer.gov/siterecode/icdo3_dwhoheme/), as the BSD-3 reference implementation
``imsweb/algorithms`` (``CauseSpecificUtils``, "for 2010+ submissions", its default tables)
computes it. netsurv equals that implementation on every record of
``tests/reference/seer/cause`` (60,000 random records; no code is shared). The two tables are
vendored as data (``netsurv/io/data/``, see the README there).

Rules, in order (the first that applies decides; codes as SEER writes them):

1. sequence number not 00-59 (blank, 60-99, ...): ``"9"``, ``"9"`` (not applicable);
2. alive (ICD revision ``"0"``) or last contact after the cutoff year: ``"0"``, ``"0"``;
3. cause of death missing, shorter than 3 characters, 7777 or 7797: ``"8"``, ``"8"`` (unknown);
4. dead of this cancer: ``"1"``, ``"0"`` when the cause is
   - for an only primary (sequence 00): any cancer (ICD-8/9 140-239, ICD-9 also 042.2, ICD-10
     C00-D48.9 and B21);
   - for a first of several primaries (01-59): an unknown or ill-defined primary (ICD-8/9 199;
     ICD-10 C79.8, C80, C97, D48.9), melanoma (8720-8799) dying of melanoma or a melanocytic
     lesion, and for ICD-10 the haematological "miscellaneous" histologies (9950, 9960-9964,
     9980-9989) dying of C77, C81-C96, D36, D45-D47, or a miscellaneous site (recode 37000)
     dying of any cancer or D61.9;
   - listed for the tumour's site recode, ICD revision and sequence group in SEER's table;
5. otherwise dead of another cause: ``"0"``, ``"1"``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt
import pandas as pd

from netsurv.errors import InputError

__all__ = ["seer_cause_specific"]

UNKNOWN_RECODE = "99999"  # SEER site recode 2008: unknown site or histology
_INT_LIMIT = 2**31 - 1  # SEER's implementation reads codes as Java ints


@cache
def _table(name: str) -> pd.DataFrame:
    path = resources.files("netsurv.io") / "data" / name
    with resources.as_file(path) as p:
        return pd.read_csv(p, dtype=str, keep_default_na=False)


def _ranges(text: str, *, site: bool) -> list[tuple[int, int]]:
    """``"C000-C009,C019"`` -> [(0, 9), (19, 19)] (site codes without their ``C``)."""
    out = []
    for token in filter(None, text.split(",")):
        lo, _, hi = token.partition("-")
        cut = 1 if site else 0
        out.append((int(lo[cut:]), int((hi or lo)[cut:])))
    return out


def _contained(values: npt.NDArray[np.int64], ranges: list[tuple[int, int]]) -> np.ndarray:
    hit = np.zeros(len(values), dtype=bool)
    for lo, hi in ranges:
        hit |= (values >= lo) & (values <= hi)
    return hit


def _integers(text: pd.Series, pattern: str, default: int) -> npt.NDArray[np.int64]:
    """Integer value where ``text`` fully matches ``pattern`` and fits a Java int."""
    ok = text.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    value = pd.to_numeric(text.where(ok), errors="coerce").to_numpy(dtype=float)
    ok &= np.abs(np.nan_to_num(value)) <= _INT_LIMIT
    return np.where(ok, np.nan_to_num(value), default).astype(np.int64)


def _site_recode(site: pd.Series, histology: pd.Series) -> np.ndarray:
    """SEER site recode ICD-O-3/WHO 2008 of each (site, histology) text pair."""
    s = _integers(site.str.slice(1).where(site.str.match(r"C\d"), ""), r"\d+", -1)
    h = _integers(histology, r"\d+", -1)
    valid = (s >= 0) & (h >= 0)
    recode = np.full(len(site), UNKNOWN_RECODE, dtype=object)
    todo = valid.copy()
    for row in _table("seer_site_recode_2008.csv").itertuples(index=False):
        ok = todo.copy()
        if row.sites_in:
            ok &= _contained(s, _ranges(row.sites_in, site=True))
        elif row.sites_out:
            ok &= ~_contained(s, _ranges(row.sites_out, site=True))
        if row.histologies_in:
            ok &= _contained(h, _ranges(row.histologies_in, site=False))
        elif row.histologies_out:
            ok &= ~_contained(h, _ranges(row.histologies_out, site=False))
        recode[ok] = row.recode
        todo &= ~ok
    return recode


def _listed(codes: np.ndarray, tokens: str) -> np.ndarray:
    """Codes equal to a token or within a ``start-end`` range of ``tokens`` (text order)."""
    hit = np.zeros(len(codes), dtype=bool)
    for token in (t.strip() for t in tokens.split(",") if t.strip()):
        lo, _, hi = token.partition("-")
        hit |= (codes >= lo) & (codes <= hi) if hi else codes == lo
    return hit


def _in_site_table(key: pd.DataFrame) -> np.ndarray:
    """True where SEER's table lists ``cod`` for the ICD revision ``icd``, sequence group
    ``group`` (``"0"`` only primary, ``"1-59"``) and site ``recode`` of each row of ``key``."""
    positions = key.groupby(["icd", "group", "recode"], sort=False).indices
    cod = key["cod"].to_numpy(dtype=str)
    cod3 = key["cod"].str.slice(0, 3).to_numpy(dtype=str)
    hit = np.zeros(len(key), dtype=bool)
    for row in _table("seer_cause_specific_2008.csv").itertuples(index=False):
        at = positions.get((row.icd_revision, row.sequence, row.recode))
        if at is not None:
            hit[at] |= _listed(cod3[at], row.causes_3_digit) | _listed(cod[at], row.causes_4_digit)
    return hit


def _cause_features(cod: pd.Series) -> dict[str, np.ndarray]:
    """What rules 3 and 4 ask of a cause of death (computed once per distinct cause)."""
    upper = cod.str.upper()
    c, c3 = upper.to_numpy(dtype=str), upper.str.slice(0, 3).to_numpy(dtype=str)
    return {
        "unknown": ((cod.str.len() < 3) | cod.isin(["7777", "7797"])).to_numpy(),
        "cancer89": (c3 >= "140") & (c3 <= "239"),
        "cancer10": (c3 >= "C00") & (c <= "D489"),
        "hiv9": c == "0422",
        "aids10": c3 == "B21",
        "unknown_primary89": c3 == "199",
        "melanoma8": (c3 == "172") | (c == "2169") | (c == "2322"),
        "melanoma9": np.isin(c3, ["172", "216", "232"]),
        "unknown_primary10": np.isin(c, ["C798", "D489"]) | np.isin(c3, ["C80", "C97"]),
        "melanoma10": np.isin(c3, ["C43", "D03", "D22"]),
        "blood10": (c3 == "C77")
        | ((c3 >= "C81") & (c3 <= "C96"))
        | (c3 == "D36")
        | ((c3 >= "D45") & (c3 <= "D47")),
        "d619": c == "D619",
    }


def _dead_of_cancer(
    seq: npt.NDArray[np.int64],
    icd: np.ndarray,
    f: dict[str, np.ndarray],
    hist: npt.NDArray[np.int64],
    recode: np.ndarray,
) -> np.ndarray:
    """Rule 4 before the site table: causes that count whatever the site (``f``: per record
    cause features of :func:`_cause_features`)."""
    icd8, icd9, icd10 = icd == "8", icd == "9", icd == "1"
    only = (icd8 & f["cancer89"]) | (icd9 & (f["cancer89"] | f["hiv9"]))
    only |= icd10 & (f["cancer10"] | f["aids10"])
    melanoma = (hist >= 8720) & (hist <= 8799)
    first = (icd8 | icd9) & f["unknown_primary89"]
    first |= melanoma & ((icd8 & f["melanoma8"]) | (icd9 & f["melanoma9"]))
    first |= icd10 & (f["unknown_primary10"] | (melanoma & f["melanoma10"]))
    misc = (hist == 9950) | ((hist >= 9960) & (hist <= 9964)) | ((hist >= 9980) & (hist <= 9989))
    first |= icd10 & misc & f["blood10"]
    first |= icd10 & ~misc & (recode == "37000") & (f["cancer10"] | f["d619"])
    return np.where(seq == 0, only, first)


def _site_table_hits(
    icd: pd.Series, only: np.ndarray, recode: np.ndarray, cod_codes: np.ndarray, cod: np.ndarray
) -> np.ndarray:
    """:func:`_in_site_table` evaluated once per distinct (ICD revision, sequence group, site
    recode, cause) and spread back to every record."""
    icd_codes, icd_values = pd.factorize(icd)
    recode_codes, recode_values = pd.factorize(recode)
    combo = ((icd_codes * 2 + only) * (len(recode_values) + 1) + recode_codes).astype(np.int64)
    combo = combo * (len(cod) + 1) + cod_codes
    codes, uniques = pd.factorize(combo)
    rest, cod_at = np.divmod(uniques, len(cod) + 1)
    rest, recode_at = np.divmod(rest, len(recode_values) + 1)
    icd_at, only_at = np.divmod(rest, 2)
    key = pd.DataFrame(
        {
            "icd": np.asarray(icd_values, dtype=object)[icd_at],
            "group": np.where(only_at == 1, "0", "1-59"),
            "recode": np.asarray(recode_values, dtype=object)[recode_at],
            "cod": pd.Series(np.asarray(cod, dtype=object)[cod_at], dtype=object).str.upper(),
        }
    )
    return _in_site_table(key)[codes]


def _text(values: npt.ArrayLike, n: int, name: str) -> pd.Series:
    arr = np.asarray(values, dtype=object)
    if arr.shape != (n,):
        raise InputError(f"{name} needs {n} values (one per record); it has {arr.size}.")
    return pd.Series(arr, dtype=object).where(pd.notna(arr), "").astype(str)


def _by_value(text: pd.Series, compute: Callable[[pd.Series], np.ndarray]) -> np.ndarray:
    """``compute`` applied once per distinct value of ``text``, spread back to every row."""
    codes, uniques = pd.factorize(text)
    return compute(pd.Series(uniques, dtype=object))[codes]


def seer_cause_specific(
    sequence: npt.ArrayLike,
    icd_revision: npt.ArrayLike,
    cause_of_death: npt.ArrayLike,
    primary_site: npt.ArrayLike,
    histology: npt.ArrayLike,
    year_last_contact: npt.ArrayLike,
    *,
    cutoff_year: int | None = None,
) -> pd.DataFrame:
    """SEER cause-specific and other-cause death classification of each tumour record.

    Parameters
    ----------
    sequence : sequence number (central), ``"00"`` only primary, ``"01"``... first of several.
    icd_revision : ICD revision of the cause of death: ``"0"`` alive, ``"1"`` ICD-10,
        ``"9"`` ICD-9, ``"8"`` ICD-8.
    cause_of_death : the cause as the registry codes it (``"C169"``, ``"1510"``, ``"7777"``).
    primary_site, histology : ICD-O-3 topography (``"C169"``) and morphology (``"8140"``).
    year_last_contact : year of the date of last contact (``"2019"``).
    cutoff_year : the study's last year; a last contact after it counts as alive. None uses
        the current calendar year, as SEER's implementation does by default.

    Returns
    -------
    DataFrame with string columns ``cause_specific`` and ``cause_other``: ``"0"`` alive or dead
    of the other kind of cause, ``"1"`` dead of this cancer / of another cause, ``"8"`` cause
    unknown, ``"9"`` not applicable (sequence number not 00-59). The index is
    ``sequence``'s when it is a Series.

    Examples
    --------
    Stomach cancer (C16.9), only primary, dead of stomach cancer (ICD-10 C16.9); the same
    tumour as the first of two primaries dead of a heart attack (I21.9); a benign second
    tumour (sequence 60):

    >>> seer_cause_specific(["00", "01", "60"], ["1"] * 3, ["C169", "I219", "C169"],
    ...                     ["C169"] * 3, ["8140"] * 3, ["2015"] * 3, cutoff_year=2020)
      cause_specific cause_other
    0              1           0
    1              0           1
    2              9           9
    """
    n = len(np.asarray(sequence, dtype=object))
    seq = _by_value(_text(sequence, n, "sequence"), lambda u: _integers(u, r"\d+", -1))
    icd = _text(icd_revision, n, "icd_revision")
    year_text = _text(year_last_contact, n, "year_last_contact")
    year = _by_value(year_text, lambda u: _integers(u, r"[+-]?\d+", 9999))
    hist_text = _text(histology, n, "histology")
    hist = _by_value(hist_text, lambda u: _integers(u, r"[+-]?\d+", -1))
    site_codes, sites = pd.factorize(_text(primary_site, n, "primary_site"))
    hist_codes, hists = pd.factorize(hist_text)
    pair_codes, pairs = pd.factorize(site_codes.astype(np.int64) * (len(hists) + 1) + hist_codes)
    site_at, hist_at = np.divmod(pairs, len(hists) + 1)
    recode = _site_recode(
        pd.Series(np.asarray(sites, dtype=object)[site_at], dtype=object),
        pd.Series(np.asarray(hists, dtype=object)[hist_at], dtype=object),
    )[pair_codes]
    cod = _text(cause_of_death, n, "cause_of_death")
    cod_codes, cod_uniques = pd.factorize(cod)
    features = {
        k: v[cod_codes] for k, v in _cause_features(pd.Series(cod_uniques, dtype=object)).items()
    }
    icd_arr = icd.to_numpy(dtype=str)
    cancer = _dead_of_cancer(seq, icd_arr, features, hist, recode)
    cancer |= _site_table_hits(icd, seq == 0, recode, cod_codes, cod_uniques)
    specific = np.where(cancer, "1", "0").astype(object)
    other = np.where(cancer, "0", "1").astype(object)
    unknown = features["unknown"]
    specific[unknown], other[unknown] = "8", "8"
    cutoff = _dt.date.today().year if cutoff_year is None else int(cutoff_year)
    alive = (icd_arr == "0") | ((year != 9999) & (year > cutoff))
    specific[alive], other[alive] = "0", "0"
    na = (seq < 0) | (seq > 59)
    specific[na], other[na] = "9", "9"
    index = sequence.index if isinstance(sequence, pd.Series) else None
    return pd.DataFrame({"cause_specific": specific, "cause_other": other}, index=index)
