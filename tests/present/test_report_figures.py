"""The report's figures print numbers at risk; together with everything else on the page they
must not give back a count from 1 to 15 by subtraction (issue 17, risk tables and the
complementary-suppression check).

The adversary reads the risk tables of the drawn figures (the texts of the Axes the report
saves) and subtracts: consecutive ticks of one row (records that left the risk set in between)
and the same group and tick in the overall and the cause-specific figure by extent (records
with an unknown cause of death, still at risk). The frame has 40 localized deaths of unknown
cause (a count the tables show), 5 of them at 150 months, so the two figures differ by
exactly 5 at every tick from 3 to 150 months unless the page hides one of them; the test shows the adversary finds that 5 when the
figures' numbers are left out of the suppression check.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

import netsurv.present.report as report_module  # noqa: E402
import netsurv.present.sections as sections  # noqa: E402
from netsurv.estimators.kaplan_meier import kaplan_meier  # noqa: E402
from netsurv.present.disclosure import SUPPRESSED  # noqa: E402
from netsurv.present.plotting import default_ticks  # noqa: E402
from netsurv.present.report import report  # noqa: E402
from tests.present.test_report import registry_frame  # noqa: E402

TH = 16


def leaky_frame() -> pd.DataFrame:
    df = registry_frame()
    rows = df.index[(df["extent"] == "localized") & df["exclusion"].isna()][:40]
    df.loc[rows, ["dead", "cancer_death"]] = [True, pd.NA]  # 40: the tables show the count
    df.loc[rows[:35], "survival_months"] = 3.0
    df.loc[rows[35:], "survival_months"] = 150.0  # 5 of them still at risk after 12 years
    return df


def risk_rows(monkeypatch, tmp_path: Path) -> dict[str, dict[str, list[str]]]:
    """figure file -> curve label -> the risk-table texts printed for it, in tick order."""
    seen: dict[str, dict[str, list[str]]] = {}
    save = report_module.save_figure

    def spy(ax, path: Path) -> None:
        labels = {t.get_gid(): t.get_text() for t in ax.texts if "risk-label" in str(t.get_gid())}
        rows: dict[str, list[str]] = {}
        for gid, label in labels.items():
            pos = gid.rsplit("-", 1)[1]
            rows[label] = [t.get_text() for t in ax.texts if t.get_gid() == f"risk-{pos}"]
        seen[path.name] = rows
        save(ax, path)

    monkeypatch.setattr(report_module, "save_figure", spy)
    report(leaky_frame(), tmp_path, progress=False, suppress_below=TH)
    return seen


def _n(text: str) -> int | None:
    """A printed number, or None for a masked one ("suppressed", or "<N" below the figure's
    threshold, which is above 16 when a group's N is hidden)."""
    return None if text == SUPPRESSED or text.startswith("<") else int(text.replace(",", ""))


def small_differences(seen: dict[str, dict[str, list[str]]]) -> list[tuple[str, int, int]]:
    """Every count from 1 to 15 the printed numbers give back by one subtraction, as
    (where, larger, smaller)."""
    found = []
    for name, rows in seen.items():
        for label, texts in rows.items():
            values = [_n(t) for t in texts]
            for j in range(len(values) - 1):
                a, b = values[j], values[j + 1]
                if a is not None and b is not None and 0 < a - b < TH:
                    found.append((f"{name} {label} ticks {j}-{j + 1}", a, b))
    overall, cause = seen["km_extent.png"], seen["km_cause_specific_extent.png"]
    for label in overall.keys() & cause.keys():
        for j, (a, b) in enumerate(zip(overall[label], cause[label], strict=True)):
            x, y = _n(a), _n(b)
            if x is not None and y is not None and 0 < x - y < TH:
                found.append((f"{label} tick {j}: overall - cause-specific", x, y))
    return found


def test_figures_numbers_at_risk_give_no_small_count_by_subtraction(monkeypatch, tmp_path):
    seen = risk_rows(monkeypatch, tmp_path)
    assert seen["km_extent.png"]["localized"][:1] != [SUPPRESSED]  # tick 0 = N, shown
    assert small_differences(seen) == []
    # the unknown-cause records are hidden somewhere: one of the two figures masks a number
    both = seen["km_extent.png"]["localized"] + seen["km_cause_specific_extent.png"]["localized"]
    assert SUPPRESSED in both


def test_without_the_figures_in_the_check_the_adversary_finds_the_five(monkeypatch, tmp_path):
    monkeypatch.setattr(sections, "add_risk_counts", lambda *a: None)
    monkeypatch.setattr(report_module, "hide_risk_counts", lambda *a: None)
    found = small_differences(risk_rows(monkeypatch, tmp_path))
    pairs = [a - b for where, a, b in found if where.startswith("localized tick")]
    assert pairs and set(pairs) == {5}  # the 5 unknown-cause deaths at 150 months


def test_shown_numbers_at_risk_are_the_fits_at_the_ticks(monkeypatch, tmp_path):
    seen = risk_rows(monkeypatch, tmp_path)
    df = leaky_frame()
    fit = kaplan_meier(df[df["exclusion"].isna()], by="extent")
    ticks = default_ticks(fit, time_unit="years") * 12.0
    at = fit.at(ticks)
    shown = 0
    for label, texts in seen["km_extent.png"].items():
        expected = at.loc[at["extent"].astype(str) == label, "n_at_risk"].to_numpy()
        for text, n in zip(texts, expected, strict=True):
            if _n(text) is not None:
                assert _n(text) == n
                shown += 1
    assert shown >= 8
