"""Cohort definitions: select the tumours a study analyses and count what each criterion removed.

Registry artefacts to keep in mind when reproducing a published cohort:

- Carcinoid tumour NOS of the appendix (8240 at C18.1) was /1 (uncertain behaviour) in
  ICD-O-3 and not reportable; it became reportable to SEER, as malignant, for cases diagnosed
  from 2015 (ICD-O-3.1 made it /3; SEER SINQ 20100050). Before 2015 those /1 tumours were not
  collected, so they are absent from SEER, and no behaviour filter can recover them: the
  appendix share steps up in 2015. Compare appendiceal NETs across 2015 with care.
- Many well-differentiated tumours are coded 8246 (NEC NOS); :func:`netsurv.classify` moves
  8246 with a well/moderate grade code to NET unless ``nec_8246_by_grade=False``.
- :func:`netsurv.classify` makes a NET/NEC/MiNEN histology with behaviour 0 or 1 ``other NEN``
  (e.g. 9091/1 strumal carcinoid), unless ``nonmalignant_nen=True``.
- 8243 is goblet cell adenocarcinoma in WHO 2019 (digestive), an adenocarcinoma: ``not NEN``
  unless ``classify(goblet_cell_nen=True)`` (the older "goblet cell carcinoid").
- 8244 meant "composite carcinoid" (combined carcinoid and adenocarcinoma) in ICD-O-3 before
  3.1; ICD-O-3.1 (2011) renamed it mixed adenoneuroendocrine carcinoma; WHO 2019 codes MiNEN as
  8154. Both are MiNEN here.
- Medullary thyroid carcinoma (8345-8347; 8510 at C73.9) is a C-cell NEN of the thyroid
  (WHO 2022) that NET studies leave out: it is ``other NEN``, so ``nen_type="NET"`` excludes it
  by default; ``exclude="medullary thyroid"`` drops it from a wider selection.
- Most NET studies leave out lung NECs: ``exclude=["small-cell lung", "large-cell lung"]``.
- Historic stage A is blank from 2016; Combined Summary Stage covers 2004+; Ki-67 is recorded
  only from 2021 (NAACCR #3863); pre-2018 grade 3-4 cannot separate NET G3 from NEC.
- Death certificate only / autopsy cases (``reporting_source`` 6/7) carry no follow-up; the
  readers mark them in ``exclusion`` and estimators leave them out, so ``select`` keeps them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from netsurv.codes._parse import keys, norm_histology, norm_text
from netsurv.codes._vocab import DIFFERENTIATION, EXTENT, GRADE, NEN_TYPE, SITE_GROUP
from netsurv.codes.tables import code_table
from netsurv.errors import InputError

__all__ = ["EXCLUDE_GROUPS", "Selection", "select"]

#: the named histology groups of ``select(exclude=...)``, from the ``exclusions.csv`` code table
EXCLUDE_GROUPS = tuple(dict.fromkeys(code_table("exclusions")["group"]))
_RAW = ("behavior", "sex")  # raw registry columns, compared as normalised codes
_FIRST_PRIMARY = "first primary (sequence 00 or 01, one per patient)"


@dataclass(frozen=True)
class Selection:
    """The rows a cohort definition keeps and how many each criterion removed.

    Attributes
    ----------
    data : the selected rows (a new frame; index kept from the input).
    steps : one row per criterion in the order applied, columns ``step`` (0 = input),
        ``criterion`` (text), ``n_before``, ``removed``, ``n_after``.
    criteria : the keyword arguments of :func:`select` that were set, so
        ``select(df, **selection.criteria)`` reproduces the selection (JSON-friendly values).

    ``data, steps = select(...)`` unpacks, and ``len(selection)`` is the number of rows kept.
    """

    data: pd.DataFrame
    steps: pd.DataFrame
    criteria: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[pd.DataFrame]:
        return iter((self.data, self.steps))

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        shown = self.steps[["criterion", "removed", "n_after"]].to_string(index=False)
        return f"Selection({len(self.data)} rows kept)\n{shown}"


def select(
    df: pd.DataFrame,
    *,
    nen_type: str | Sequence[str] | None = None,
    years: int | str | Sequence[int | None] | None = None,
    behavior: str | int | Sequence[str | int] | None = "3",
    first_primary: bool = False,
    sites: str | Sequence[str] | None = None,
    extent: str | Sequence[str] | None = None,
    grade: str | Sequence[str] | None = None,
    differentiation: str | Sequence[str] | None = None,
    exclude: str | Sequence[str] = (),
    ages: str | Sequence[float | None] | None = None,
    sex: str | Sequence[str] | None = None,
) -> Selection:
    """Select a study cohort, counting the rows each criterion removes, in order.

    Parameters
    ----------
    df : a classified canonical frame (``netsurv.read`` classifies; else ``netsurv.classify``).
    nen_type : keep these NEN types (``"NET"``, ``"NEC"``, ``"MiNEN"``, ``"other NEN"``, ...).
    years : diagnosis years, inclusive: ``(2000, 2012)``, ``"2000-2012"``, ``2015``;
        ``(2000, None)`` is open-ended. Rows with unknown year are removed.
    behavior : ICD-O-3 behaviour codes to keep (default ``"3"``, malignant); None keeps all.
    first_primary : keep one tumour per patient: sequence number 00 (only primary) or 01
        (first of several); if a patient still has two rows, the first in frame order stays.
    sites : site groups (``"pancreas"``, ``"small intestine"``, ...) or site details
        (``"ileum"``, ``"pancreatic head"``, ...) to keep.
    extent, grade, differentiation : categories to keep
        (e.g. ``extent=["localized", "regional", "distant"]`` drops in situ and unknown).
    exclude : named histology groups to drop, each its own step: ``"small-cell lung"``
        (8041-8045 at C34), ``"large-cell lung"`` (8013 at C34), ``"merkel"`` (8247),
        ``"paraganglioma"`` (8680-8682, 8690-8693, 8700; 8683 gangliocytic paraganglioma is a
        NET and stays), ``"goblet cell"`` (8243), ``"medullary thyroid"`` (8345-8347, and 8510
        at the thyroid).
    ages : age at diagnosis in years, inclusive, like ``years`` (``(18, None)``, ``"18-85"``).
    sex : ``sex`` codes/labels to keep.

    List-valued arguments also accept one string with items separated by ``;`` or ``,``, so
    cohort definitions stored as text (the published-figures catalog) can be passed as
    keyword arguments unchanged.

    Returns
    -------
    Selection
        ``.data`` (rows kept), ``.steps`` (rows removed per criterion) and ``.criteria``.

    Examples
    --------
    >>> import pandas as pd, netsurv as ns
    >>> df = ns.classify(pd.DataFrame({
    ...     "patient_id": ["1", "2", "3", "4"], "tumor_seq": ["00", "01", "02", "00"],
    ...     "year_dx": [2005, 2010, 2012, 1999], "behavior": "3",
    ...     "histology": ["8240", "8041", "8240", "8240"],
    ...     "primary_site": ["C172", "C349", "C250", "C181"]}))
    >>> sel = ns.select(df, years=(2000, 2015), exclude=["small-cell lung"],
    ...                 first_primary=True)
    >>> print(sel.steps[["criterion", "removed", "n_after"]].to_string(index=False))
    ... # doctest: +NORMALIZE_WHITESPACE
                                            criterion  removed  n_after
                                                input        0        4
                                     year_dx 2000-2015        1        3
                                      behavior in ['3']        0        3
                                exclude small-cell lung        1        2
    first primary (sequence 00 or 01, one per patient)        1        1
    >>> sel.data["patient_id"].tolist(), sel.steps["removed"].tolist()
    (['1'], [0, 1, 0, 1, 1])
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"select: expected a pandas DataFrame, got {type(df).__name__}.")
    criteria = {
        k: v
        for k, v in dict(
            nen_type=nen_type,
            years=years,
            behavior=behavior,
            first_primary=first_primary,
            sites=sites,
            extent=extent,
            grade=grade,
            differentiation=differentiation,
            exclude=exclude,
            ages=ages,
            sex=sex,
        ).items()
        if v is not None and v is not False and v != () and v != []
    }
    masks = _criteria_masks(df, criteria)
    keep = np.ones(len(df), dtype=bool)
    rows = [(0, "input", len(df), 0, len(df))]
    for i, (text, mask) in enumerate(masks, start=1):
        before = int(keep.sum())
        keep &= mask
        if text == _FIRST_PRIMARY:
            keep &= _one_per_patient(df, keep)
        rows.append((i, text, before, before - int(keep.sum()), int(keep.sum())))
    steps = pd.DataFrame(rows, columns=["step", "criterion", "n_before", "removed", "n_after"])
    return Selection(data=df.loc[keep].copy(), steps=steps, criteria=_jsonable(criteria))


def _criteria_masks(df: pd.DataFrame, criteria: Mapping[str, Any]) -> list[tuple[str, np.ndarray]]:
    """The (description, keep-mask) pairs in the order they are applied."""
    masks: list[tuple[str, np.ndarray]] = []
    if "years" in criteria:
        lo, hi = _range(criteria["years"], "years")
        year = pd.to_numeric(_column(df, "year_dx", "years"), errors="coerce").to_numpy(float)
        masks.append((f"year_dx {_show(lo, hi)}", _between(year, lo, hi)))
    if "behavior" in criteria:
        wanted = {str(norm_text(b)) for b in _items(criteria["behavior"])}
        masks.append((f"behavior in {sorted(wanted)}", _isin(df, "behavior", wanted, "behavior")))
    for name, vocabulary in (
        ("nen_type", NEN_TYPE),
        ("extent", EXTENT),
        ("grade", GRADE),
        ("differentiation", DIFFERENTIATION),
    ):
        if name in criteria:
            chosen = _checked(_items(criteria[name]), vocabulary, name)
            masks.append((f"{name} in {chosen}", _isin(df, name, set(chosen), name)))
    if "sites" in criteria:
        masks.append(_sites(df, _items(criteria["sites"])))
    if "ages" in criteria:
        lo, hi = _range(criteria["ages"], "ages")
        age = pd.to_numeric(_column(df, "age_dx", "ages"), errors="coerce").to_numpy(float)
        masks.append((f"age_dx {_show(lo, hi)}", _between(age, lo, hi)))
    if "sex" in criteria:
        wanted = {str(norm_text(s)) for s in _items(criteria["sex"])}
        masks.append((f"sex in {sorted(wanted)}", _isin(df, "sex", wanted, "sex")))
    for group in _checked(_items(criteria.get("exclude", ())), EXCLUDE_GROUPS, "exclude"):
        masks.append((f"exclude {group}", ~_in_group(df, group)))
    if criteria.get("first_primary"):
        seq = _column(df, "tumor_seq", "first_primary").astype("string").str.strip()
        first = seq.str.zfill(2).isin(["00", "01"]).fillna(False).to_numpy(dtype=bool)
        masks.append((_FIRST_PRIMARY, first))
    return masks


def _column(df: pd.DataFrame, name: str, argument: str) -> pd.Series:
    if name not in df.columns:
        derived = name in ("nen_type", "extent", "grade", "differentiation", "site_group")
        fix = "run netsurv.classify(df) first" if derived else f"add a {name!r} column"
        raise InputError(f"select: {argument}= needs column {name!r}, which is missing; {fix}.")
    return df[name]


def _items(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]
    if isinstance(value, Sequence | set | frozenset | np.ndarray | pd.Series):
        return list(value)
    return [value]


def _checked(values: list[Any], vocabulary: Sequence[str], name: str) -> list[str]:
    bad = [v for v in values if v not in vocabulary]
    if bad:
        raise InputError(
            f"select: {name}={bad!r} is not a known value; choose from {list(vocabulary)}."
        )
    return [str(v) for v in values]


def _range(value: Any, name: str) -> tuple[float | None, float | None]:
    items: list[Any]
    if isinstance(value, str):
        items = [v.strip() or None for v in value.split("-", 1)] if "-" in value else [value] * 2
    elif isinstance(value, Sequence) and len(value) == 2:
        items = list(value)
    elif isinstance(value, int | float | np.integer | np.floating):
        items = [value, value]
    else:
        raise InputError(
            f"select: {name}={value!r} is not a range; give (low, high), 'low-high' or one number."
        )
    try:
        low, high = (None if v is None else float(v) for v in items)
    except (TypeError, ValueError):
        raise InputError(
            f"select: {name}={value!r} holds a non-number; use e.g. (2000, 2012)."
        ) from None
    return low, high


def _between(values: np.ndarray, lo: float | None, hi: float | None) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        ok = ~np.isnan(values)
        if lo is not None:
            ok &= values >= lo
        if hi is not None:
            ok &= values <= hi
    return ok


def _show(lo: float | None, hi: float | None) -> str:
    def fmt(v: float | None) -> str:
        return "" if v is None else f"{v:g}"

    return f"{fmt(lo)}-{fmt(hi)}"


def _isin(df: pd.DataFrame, name: str, wanted: set[str], argument: str) -> np.ndarray:
    """Rows whose ``name`` is in ``wanted`` (raw codes compared after trimming and case-folding)."""
    column = _column(df, name, argument)
    ids, distinct = keys(column, len(df), norm_text if name in _RAW else str)
    hit = np.array([d in wanted for d in distinct] + [False])
    return hit[ids]


def _sites(df: pd.DataFrame, wanted: list[Any]) -> tuple[str, np.ndarray]:
    group = _column(df, "site_group", "sites").astype("string")
    detail = _column(df, "site_detail", "sites").astype("string")
    details = set(code_table("sites")["site_detail"])
    bad = [s for s in wanted if s not in SITE_GROUP and s not in details]
    if bad:
        raise InputError(
            f"select: sites={bad!r} unknown; use site groups {list(SITE_GROUP)} "
            "or site details from netsurv.codes.code_table('sites')."
        )
    hit = (group.isin(wanted) | detail.isin(wanted)).fillna(False).to_numpy(dtype=bool)
    return f"sites in {[str(s) for s in wanted]}", hit


def _in_group(df: pd.DataFrame, group: str) -> np.ndarray:
    """Rows whose histology (and site group or site detail, where the rule names one) fall in
    ``group``."""
    rules = code_table("exclusions")
    ids, distinct = keys(_column(df, "histology", "exclude"), len(df), norm_histology)
    code = np.array([int(d) if d.isdigit() else -1 for d in distinct] + [-1])[ids]
    hit = np.zeros(len(df), dtype=bool)
    for rule in rules[rules["group"] == group].itertuples(index=False):
        match = (code >= int(rule.histology_from)) & (code <= int(rule.histology_to))
        if rule.site:
            group_ = _column(df, "site_group", "exclude").astype("string")
            detail = _column(df, "site_detail", "exclude").astype("string")
            at_site = (group_ == rule.site) | (detail == rule.site)
            match &= at_site.fillna(False).to_numpy(dtype=bool)
        hit |= match
    return hit


def _one_per_patient(df: pd.DataFrame, keep: np.ndarray) -> np.ndarray:
    """False for the later rows of a patient who still has several rows among ``keep``."""
    if "patient_id" not in df.columns:
        return np.ones(len(df), dtype=bool)
    patient = df["patient_id"].astype("string").where(pd.Series(keep, index=df.index))
    repeated = patient.duplicated(keep="first") & patient.notna()
    return ~repeated.to_numpy(dtype=bool)


def _jsonable(criteria: Mapping[str, Any]) -> dict[str, Any]:
    def plain(v: Any) -> Any:
        if isinstance(v, str | bool | int | float) or v is None:
            return v
        return [plain(x) for x in v]

    return {k: plain(v) for k, v in criteria.items()}
