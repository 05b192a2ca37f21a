"""Classify every tumour: NEN type, differentiation, WHO grade, site group and extent.

The rules live in the CSV code tables of this package (``README.md`` documents them with their
sources); this module only picks the field a record's diagnosis year belongs to, looks codes up
and combines the results, column-wise with numpy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

import netsurv.codes.tables as tables
from netsurv.codes._fields import (
    STAGE_SYSTEMS,
    Coded,
    read_behavior,
    read_grade,
    read_histology,
    read_ki67,
    read_site,
    read_stage,
    read_system,
    read_year,
)
from netsurv.codes._parse import BLANK, INVALID
from netsurv.codes._vocab import (
    DIFFERENTIATION,
    DIFFERENTIATION_SOURCE,
    EXTENT,
    EXTENT_SOURCE,
    GRADE,
    GRADE_SOURCE,
    GRADE_TABLE,
    INPUT_FIELDS,
    NEC_SUBTYPE,
    NEN_TYPE,
    SITE_GROUP,
    UNKNOWN,
)
from netsurv.codes.summary_grade import frame_summary_grade
from netsurv.errors import InputError

__all__ = ["ADDED_COLUMNS", "classify"]

#: columns that :func:`classify` adds (or replaces), in this order
ADDED_COLUMNS = (
    "site_group",
    "site_detail",
    "extent",
    "extent_source",
    "grade",
    "grade_source",
    "grade_table",
    "differentiation",
    "differentiation_source",
    "nen_type",
    "nec_subtype",
    "grade_conflict",
    "ki67_conflict",
    "reclassified_8246",
    "reclassified_behavior",
    "invalid_codes",
)

_G_UNK, _D_UNK = GRADE.index(UNKNOWN), DIFFERENTIATION.index(UNKNOWN)
_GRADE_SYSTEMS = {"pre2018": 0, "pre-2018": 0, "2018": 1, "2018+": 1}
_STAGE_NAMES = {s: i for i, s in enumerate(STAGE_SYSTEMS)}
_Getter = Callable[[str], "pd.Series | None"]


def classify(
    df: pd.DataFrame,
    *,
    nec_8246_by_grade: bool = True,
    goblet_cell_nen: bool = False,
    nonmalignant_nen: bool = False,
) -> pd.DataFrame:
    """Add NEN type, differentiation, WHO grade, site group and extent to a canonical frame.

    Parameters
    ----------
    df : canonical frame (one row per tumour). Every input column is optional:
        ``primary_site``, ``histology``, ``year_dx``, ``grade_code`` + ``grade_system``
        (or the raw ``grade_pre2018``, ``grade_clinical``, ``grade_pathological``,
        ``grade_2018``), ``ki67`` / ``ki67_code``, ``stage_code`` + ``stage_system`` (or the
        raw ``stage_historic_a``, ``stage_combined``, ``stage_ss2000``, ``stage_ss2018``).
        A missing or all-NA column makes the columns derived from it ``"unknown"``.
    nec_8246_by_grade : when True (default), a neuroendocrine carcinoma NOS (8246) whose grade
        code records well or moderate differentiation is classified as a NET; the rows moved
        are flagged in ``reclassified_8246``.
    goblet_cell_nen : 8243 is goblet cell adenocarcinoma in WHO 2019 (digestive), an
        adenocarcinoma: ``not NEN`` by default. True applies the older definition (ICD-O-3,
        WHO 2010 "goblet cell carcinoid"): ``other NEN``.
    nonmalignant_nen : by default a NET, NEC or MiNEN histology with behaviour 0 (benign) or 1
        (uncertain) is ``other NEN``, not a malignant NEN (flagged in
        ``reclassified_behavior``); True keeps the histology's type. Blank behaviour keeps it too.

    Returns
    -------
    DataFrame
        A new frame (the input is not modified) with every row of ``df`` and the columns of
        ``ADDED_COLUMNS``: ordered categoricals ``site_group``, ``site_detail``, ``extent``,
        ``grade``, ``differentiation``, ``nen_type``, ``nec_subtype`` (NA when not NEC); the
        rule or field behind each (``*_source``, ``grade_table``); boolean flags
        ``grade_conflict`` (NET histology with grade code 3-4 (pre-2018 or 2018 carcinoma table)), ``ki67_conflict``
        (recorded grade disagrees with Ki-67), ``reclassified_8246`` and
        ``reclassified_behavior``; and
        ``invalid_codes`` (the input fields whose codes were present but not recognised,
        ``;``-separated, NA when none). Running it again gives the same frame.

    Examples
    --------
    >>> import pandas as pd, netsurv as ns
    >>> df = pd.DataFrame({"primary_site": ["C25.0", "c181", "340"],
    ...                    "histology": ["8246", "8240", "8041"],
    ...                    "grade_code": ["2", "9", "9"], "grade_system": "pre2018",
    ...                    "stage_code": ["Localized", "Distant", "7"],
    ...                    "stage_system": ["combined", "combined", "ss2018"]})
    >>> out = ns.classify(df)
    >>> out[["site_group", "nen_type", "grade", "differentiation", "extent"]].astype(str)
      site_group nen_type    grade differentiation     extent
    0   pancreas      NET       G2            well  localized
    1   appendix      NET  unknown            well    distant
    2       lung      NEC       G3            poor    distant
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(
            f"classify: expected a pandas DataFrame, got {type(df).__name__}; "
            "read the registry file with netsurv.read() first."
        )
    n = len(df)

    def col(name: str) -> pd.Series | None:
        return df[name] if name in df.columns else None

    year = read_year(col("year_dx"), n)
    site = read_site(col("primary_site"), n)
    hist = read_histology(col("histology"), n, col("primary_site"))
    behavior = read_behavior(col("behavior"), n)
    net_table = site.extra["net_schema"] & hist.extra["net_schema"]
    grade_code = _read_grades(col, frame_summary_grade(df), n, year.value, net_table)
    ki67 = read_ki67(col("ki67"), col("ki67_code"), n)
    stage, stage_source = _read_stages(col, n, year.value)

    derived = _combine(hist, grade_code, ki67, site, nec_8246_by_grade)
    nen_type, nec_subtype, demoted = _nen_type(
        hist, behavior, derived, goblet_cell_nen, nonmalignant_nen
    )
    derived.update(nen_type=nen_type, nec_subtype=nec_subtype, reclassified_behavior=demoted)
    out = df.copy(deep=False)
    details = tables.sites().details
    out["site_group"] = _categorical(site.value, SITE_GROUP)
    out["site_detail"] = _categorical(site.extra["detail"], details)
    out["extent"] = _categorical(stage.value, EXTENT)
    out["extent_source"] = _categorical(stage_source, EXTENT_SOURCE)
    for name, vocabulary in (
        ("grade", GRADE),
        ("grade_source", GRADE_SOURCE),
        ("grade_table", GRADE_TABLE),
        ("differentiation", DIFFERENTIATION),
        ("differentiation_source", DIFFERENTIATION_SOURCE),
        ("nen_type", NEN_TYPE),
        ("nec_subtype", NEC_SUBTYPE),
    ):
        out[name] = _categorical(derived[name], vocabulary)
    for name in ("grade_conflict", "ki67_conflict", "reclassified_8246", "reclassified_behavior"):
        out[name] = pd.Series(derived[name], index=df.index, dtype=bool)
    statuses = (site.status, hist.status, grade_code.status, ki67.status, stage.status)
    out["invalid_codes"] = _invalid_codes((*statuses, year.status, behavior.status), df.index)
    return out


def _categorical(codes: np.ndarray, vocabulary: tuple[str, ...]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int64), categories=vocabulary, ordered=True)


def _first_present(
    fields: list[Coded], chains: list[tuple[np.ndarray, list[int]]], n: int
) -> np.ndarray:
    """Index of the field each row reads: the first non-blank one in its era's chain (-1: none)."""
    chosen = np.full(n, -1)
    for era, chain in chains:
        for f in chain:
            take = era & (chosen < 0) & (fields[f].status != BLANK)
            chosen[take] = f
    return chosen


def _gather(fields: list[Coded], chosen: np.ndarray, attribute: str, blank: int) -> np.ndarray:
    """Per row, ``attribute`` of the chosen field (``blank`` where no field was chosen)."""
    out = np.full(len(chosen), blank, dtype=np.int64)
    for i, field in enumerate(fields):
        values = getattr(field, attribute) if attribute in ("status", "value") else None
        if values is None:
            values = field.extra[attribute]
        np.copyto(out, values, where=chosen == i, casting="unsafe")
    return out


def _eras(year: np.ndarray, bounds: tuple[int, ...]) -> list[np.ndarray]:
    """Boolean masks: year <= b0, b0 < year <= b1, ..., year > b_last, and unknown year."""
    known = ~np.isnan(year)
    masks, lower = [], -np.inf
    for upper in (*bounds, np.inf):
        masks.append(known & (year > lower) & (year <= upper))
        lower = upper
    return [*masks, ~known]


def _read_grades(
    get: _Getter, summary: pd.Series | None, n: int, year: np.ndarray, net_table: np.ndarray
) -> Coded:
    """Pick and read the grade field the diagnosis year belongs to (see README, grade).

    ``summary`` is SEER's Derived Summary Grade 2018 of the clinical and pathological grades
    (:func:`netsurv.codes.summary_grade.frame_summary_grade`), the rule the readers use too.
    """
    schema_2018 = np.where(net_table, 1, 2)
    pre_2018 = np.zeros(n, dtype=np.int64)
    system = read_system(get("grade_system"), n, _GRADE_SYSTEMS)
    up_to_2017, from_2018, unknown_year = _eras(year, (2017,))
    inferred = np.where(up_to_2017, 0, np.where(from_2018, 1, -1))  # blank system: by year
    system = np.where(system == BLANK, inferred, system)
    code_table = np.where(system == 0, 0, np.where(system == 1, schema_2018, -1))
    fields = [
        read_grade(get("grade_pre2018"), n, pre_2018),
        read_grade(get("grade_2018"), n, schema_2018),
        read_grade(summary, n, schema_2018),
        read_grade(get("grade_code"), n, code_table),
    ]
    chains = [
        (up_to_2017, [0, 3]),
        (from_2018, [1, 2, 3]),
        (unknown_year, [1, 2, 0, 3]),
    ]
    chosen = _first_present(fields, chains, n)
    return Coded(
        _gather(fields, chosen, "status", BLANK),
        _gather(fields, chosen, "value", _G_UNK),
        {
            "differentiation": _gather(fields, chosen, "differentiation", _D_UNK),
            "table": _gather(fields, chosen, "table", -1),
        },
    )


def _read_stages(get: _Getter, n: int, year: np.ndarray) -> tuple[Coded, np.ndarray]:
    """Pick and read the stage field the diagnosis year belongs to; also return its source."""
    fields = [read_stage(get(f"stage_{s}"), n, np.full(n, i)) for i, s in enumerate(STAGE_SYSTEMS)]
    system = read_system(get("stage_system"), n, _STAGE_NAMES)
    system = np.where(system >= 0, system, -1)
    fields.append(read_stage(get("stage_code"), n, system))
    hist_a, comb, ss2000, ss2018, code = range(5)
    to_2015, y2016_17, from_2018, unknown_year = _eras(year, (2015, 2017))
    chains = [
        (to_2015, [hist_a, comb, ss2000, code]),
        (y2016_17, [comb, ss2000, code]),
        (from_2018, [ss2018, comb, code]),
        (unknown_year, [comb, ss2018, ss2000, hist_a, code]),
    ]
    chosen = _first_present(fields, chains, n)
    unknown = EXTENT.index(UNKNOWN)
    stage = Coded(
        _gather(fields, chosen, "status", BLANK), _gather(fields, chosen, "value", unknown), {}
    )
    row_system = _gather(fields, chosen, "system", -1)
    source = np.where(
        chosen < 0,
        EXTENT_SOURCE.index("none"),
        np.where(row_system >= 0, row_system, EXTENT_SOURCE.index("unknown system")),
    )
    return stage, source


def _combine(
    hist: Coded, grade_code: Coded, ki67: Coded, site: Coded, move_8246: bool
) -> dict[str, np.ndarray]:
    """Apply the NEN type, differentiation and grade rules of the README to the looked-up codes."""
    well = DIFFERENTIATION.index("well")
    code_diff = grade_code.extra["differentiation"]
    table = grade_code.extra["table"]
    nen = hist.value.copy()
    nec_subtype = hist.extra["nec_subtype"].copy()
    moved = move_8246 & hist.extra["is_8246"] & (code_diff == well)
    nen[moved] = NEN_TYPE.index("NET")
    nec_subtype[moved] = -1

    from_code = code_diff != _D_UNK
    from_hist = ~from_code & (hist.extra["differentiation"] != _D_UNK)
    differentiation = np.where(from_code, code_diff, hist.extra["differentiation"])
    diff_source = np.select(
        [from_code & (table == 0), from_code & (table == 1), from_code & (table == 2), from_hist],
        [0, 1, 2, DIFFERENTIATION_SOURCE.index("histology")],
        DIFFERENTIATION_SOURCE.index("none"),
    )
    # a 2018 carcinoma-table code records a grade where that table means G1-G4 (sites.csv
    # carcinoma_grade) and for an 8246 moved to NET; elsewhere it records differentiation only
    counts = (table != 2) | site.extra["carcinoma_grade"] | moved
    code_grade = np.where(counts, grade_code.value, _G_UNK)
    return {
        **_grade(hist, code_grade, ki67, site),
        "grade_table": np.where(table >= 0, table, GRADE_TABLE.index("none")),
        "differentiation": differentiation,
        "differentiation_source": diff_source,
        "nen_type": nen,
        "nec_subtype": nec_subtype,
        "grade_conflict": (hist.value == NEN_TYPE.index("NET"))
        & ((table == 0) | (table == 2))
        & (code_grade == GRADE.index("G3")),
        "reclassified_8246": moved,
    }


def _grade(hist: Coded, code_grade: np.ndarray, ki67: Coded, site: Coded) -> dict[str, np.ndarray]:
    """WHO grade, the first rule that applies (README, "How the results combine", 3)."""
    g3 = GRADE.index("G3")
    gep = site.extra["gep"]
    thoracic = site.extra["thoracic"] & (hist.extra["thoracic_grade"] != _G_UNK)
    recorded = ~thoracic & (code_grade != _G_UNK)
    by_ki67 = ~thoracic & ~recorded & gep & (ki67.value != _G_UNK)
    by_nec = ~thoracic & ~recorded & ~by_ki67 & (hist.extra["grade"] == g3)
    grade = np.select(
        [thoracic, recorded, by_ki67, by_nec],
        [hist.extra["thoracic_grade"], code_grade, ki67.value, g3],
        _G_UNK,
    )
    grade_source = np.select(
        [recorded, by_ki67, thoracic | by_nec],
        [GRADE_SOURCE.index(s) for s in ("code", "Ki-67", "histology")],
        GRADE_SOURCE.index(UNKNOWN),
    )
    known_ki67 = gep & (ki67.value != _G_UNK)
    return {
        "grade": grade,
        "grade_source": grade_source,
        "ki67_conflict": recorded & known_ki67 & (ki67.value != grade),
    }


def _nen_type(
    hist: Coded,
    behavior: Coded,
    derived: dict[str, np.ndarray],
    goblet_cell_nen: bool,
    nonmalignant_nen: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NEN type after the older goblet-cell definition (if asked) and the behaviour rule."""
    nen, nec_subtype = derived["nen_type"].copy(), derived["nec_subtype"].copy()
    if goblet_cell_nen:
        older = hist.extra["nen_type_older"]
        nen = np.where(older >= 0, older, nen)
    malignant_types = [NEN_TYPE.index(t) for t in ("NET", "NEC", "MiNEN")]
    demoted = (behavior.value == 0) & np.isin(nen, malignant_types) & (not nonmalignant_nen)
    nen[demoted] = NEN_TYPE.index("other NEN")
    nec_subtype[demoted] = -1
    return nen, nec_subtype, demoted


def _invalid_codes(statuses: tuple[np.ndarray, ...], index: pd.Index) -> pd.Categorical:
    """``;``-joined names of the input fields holding an unrecognised code (NA when none)."""
    bits = np.zeros(len(index), dtype=np.int64)
    for i, status in enumerate(statuses):
        bits |= (status == INVALID).astype(np.int64) << i
    present = np.unique(bits[bits > 0])
    labels = [
        ";".join(f for i, f in enumerate(INPUT_FIELDS) if b >> i & 1) for b in present.tolist()
    ]
    codes = np.searchsorted(present, bits)
    return pd.Categorical.from_codes(np.where(bits > 0, codes, -1), categories=labels)
