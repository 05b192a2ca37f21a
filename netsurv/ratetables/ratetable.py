"""Population rate tables: daily hazards by attained age, sex, calendar year (and race).

A :class:`RateTable` holds daily hazards ``-log(1 - qx) / 365.25`` (as R ``survival::survexp.us``)
on a grid of single years of age and calendar years. A subject moves through the table as
follow-up time passes: attained age = age at diagnosis + t, calendar date = diagnosis date + t,
all in days.

Day conventions (the ones R ``survival``/``relsurv`` use with ``survexp.us``):

* ages are cut at multiples of 365.25 days (age ``a`` covers ``[365.25 a, 365.25 (a + 1))``);
* calendar years are cut at 1 January of each year (real calendar days, 365 or 366 per year);
  positions are counted in days since 1960-01-01;
* for the US tables (``birthday_shift=True``) the calendar position of each subject is moved
  back by the time from 1 January of the birth year to the birthday, so that the table's year
  changes on the subject's birthday together with the age — R's "US special" handling of
  ``survexp.us`` (``type`` 4 for the year dimension);
* past the last age (109 = "109 and over") the last age's hazard is used; before the first
  year the first year's; after the last year the rates of ``beyond_year`` (default: the last
  year, 2020 for the US tables — a pandemic year, so a :class:`UserWarning` says so when
  follow-up runs past it).

Registry follow-up is converted to days by the caller: a SEER month is 365.24 / 12 days and a
year of follow-up 365.24 days (``netsurv.estimators.relative.net``); ages in years are multiplied by 365.25.
"""

from __future__ import annotations

import functools
import importlib.resources
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from netsurv.errors import InputError

__all__ = ["DAYS_PER_AGE_YEAR", "RateTable", "from_long", "us", "warn_beyond", "year_start_days"]

DAYS_PER_AGE_YEAR = 365.25  # survexp.us age cut points: 365.25-day years
_EPOCH = np.datetime64("1960-01-01", "D")  # R ratetable dates: days since 1960-01-01
_SEX_ALIASES = {
    "male": "male",
    "m": "male",
    "1": "male",
    "female": "female",
    "f": "female",
    "2": "female",
}
_RACE_ALIASES = {
    "white": "white",
    "1": "white",
    "01": "white",
    "black": "black",
    "2": "black",
    "02": "black",
}


def year_start_days(years: np.ndarray) -> np.ndarray:
    """Days from 1960-01-01 to 1 January of each calendar year."""
    since_1970 = np.asarray(years, dtype=np.int64) - 1970
    jan1 = since_1970.astype("datetime64[Y]").astype("datetime64[D]")
    return (jan1 - _EPOCH).astype(np.float64)


@dataclass(frozen=True)
class RateTable:
    """Daily hazards on a grid of attained age x sex x race x calendar year (frozen).

    Attributes
    ----------
    hazard : array (age, sex, race, year) of daily hazards; ``race`` has length 1 when the
        table is not split by race.
    ages : first age (years) of each age band, e.g. 0..109 (the last band is open).
    years : calendar years, e.g. 1940..2020.
    sexes, races : labels of the sex and race axes (``races`` is ``()`` without race).
    birthday_shift : R's US-table convention (year changes on the birthday), see module doc.
    beyond_year : year whose rates are used after the last year of the table.
    source : provenance, one line.
    days_per_age_year : length of a year of age in days: age ``a`` covers
        ``[a d, (a + 1) d)``. 365.25 for ``survexp.us``; relsurv's ``transrate`` and
        ``slopop`` tables use 365.241. Ages given in years are converted with it too.
    """

    hazard: np.ndarray
    ages: np.ndarray
    years: np.ndarray
    sexes: tuple[str, ...] = ("male", "female")
    races: tuple[str, ...] = ()
    birthday_shift: bool = False
    beyond_year: int | None = None
    source: str = ""
    days_per_age_year: float = DAYS_PER_AGE_YEAR

    # ----------------------------------------------------------------- grid
    @property
    def age_cuts(self) -> np.ndarray:
        """Start of each age band in days (``days_per_age_year``-day years)."""
        return np.asarray(self.ages, dtype=np.float64) * self.days_per_age_year

    @property
    def year_cuts(self) -> np.ndarray:
        """1 January of each year in days since 1960-01-01 (plus one extra column when
        ``beyond_year`` differs from the last year: see :meth:`year_hazard_columns`)."""
        years = self.years
        if self.beyond_year is not None and self.beyond_year != int(years[-1]):
            years = np.append(years, years[-1] + 1)
        return year_start_days(years)

    def year_hazard_columns(self) -> np.ndarray:
        """Hazard array with the carried-forward year appended (age, sex, race, year)."""
        if self.beyond_year is None or self.beyond_year == int(self.years[-1]):
            return self.hazard
        col = int(np.searchsorted(self.years, self.beyond_year))
        return np.concatenate([self.hazard, self.hazard[..., col : col + 1]], axis=3)

    @property
    def last_year(self) -> int:
        return int(self.years[-1])

    def with_beyond_year(self, year: int | None) -> RateTable:
        """The same table, carrying ``year``'s rates forward after the last year."""
        if year is None:
            return replace(self, beyond_year=None)
        if int(year) not in set(self.years.tolist()):
            raise InputError(
                f"beyond_year={year!r}: not a year of this table "
                f"({int(self.years[0])}–{self.last_year})"
            )
        return replace(self, beyond_year=int(year))

    # -------------------------------------------------------------- lookups
    def cell_hazard(
        self, age_years: np.ndarray, sex: np.ndarray, race: np.ndarray, year: np.ndarray
    ) -> np.ndarray:
        """Daily hazard of the cell of (whole) age and calendar year, as a popmort file is
        merged on ``_age`` and ``_year`` (Stata ``strs``): ages past the last are the last
        age; years outside the table the first year or the carried-forward year."""
        ia = np.clip(np.searchsorted(self.ages, age_years, side="right") - 1, 0, len(self.ages) - 1)
        hz = self.year_hazard_columns()
        years = (
            np.append(self.years, self.years[-1] + 1)
            if hz.shape[3] > len(self.years)
            else self.years
        )
        iy = np.clip(np.searchsorted(years, year, side="right") - 1, 0, len(years) - 1)
        return hz[ia, sex, race, iy]

    def sex_index(self, values: pd.Series | Sequence[object]) -> np.ndarray:
        """Index on the sex axis for each value ('male'/'female', 'M'/'F', SEER 1/2)."""
        return _axis_index(values, self.sexes, _SEX_ALIASES, "sex")

    def race_index(self, values: pd.Series | Sequence[object] | None, n: int) -> np.ndarray:
        """Index on the race axis (zeros when the table has no race axis)."""
        if values is None or not self.races:
            if values is not None:
                raise InputError(
                    "race: this life table is not split by race; use "
                    "netsurv.ratetables.us(race=True) or leave race=None"
                )
            return np.zeros(n, dtype=np.int64)
        return _axis_index(values, self.races, _RACE_ALIASES, "race")

    def daily_hazard(
        self, age_days: np.ndarray, sex: np.ndarray, race: np.ndarray, year_days: np.ndarray
    ) -> np.ndarray:
        """Hazard per day at attained age and calendar position (both in days), vectorised.

        ``year_days`` is the (already birthday-shifted, if applicable) position in days since
        1960-01-01. Cells are found as R's ``pystep`` does: the last cut at or below the value,
        clamped to the first and last cells.
        """
        ia = np.clip(np.searchsorted(self.age_cuts, age_days, side="right") - 1, 0, None)
        cuts = self.year_cuts
        iy = np.clip(np.searchsorted(cuts, year_days, side="right") - 1, 0, len(cuts) - 1)
        return self.year_hazard_columns()[np.minimum(ia, len(self.ages) - 1), sex, race, iy]

    def to_frame(self) -> pd.DataFrame:
        """Long table: year, [race,] sex, age, daily_hazard, qx."""
        a, s, r, y = np.meshgrid(
            np.arange(len(self.ages)),
            np.arange(len(self.sexes)),
            np.arange(max(len(self.races), 1)),
            np.arange(len(self.years)),
            indexing="ij",
        )
        h = self.hazard[a, s, r, y].ravel()
        out = pd.DataFrame({"year": self.years[y.ravel()]})
        if self.races:
            out["race"] = np.asarray(self.races, dtype=object)[r.ravel()]
        out["sex"] = np.asarray(self.sexes, dtype=object)[s.ravel()]
        out["age"] = self.ages[a.ravel()]
        out["daily_hazard"] = h
        out["qx"] = -np.expm1(-h * self.days_per_age_year)
        return out.sort_values(list(out.columns[:-2])).reset_index(drop=True)


def _axis_index(
    values: pd.Series | Sequence[object],
    labels: tuple[str, ...],
    aliases: dict[str, str],
    what: str,
) -> np.ndarray:
    s = pd.Series(values, copy=False)
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if s.isna().any():
        raise InputError(f"{what}: {int(s.isna().sum())} rows have no {what}; exclude them first")
    codes, uniques = pd.factorize(s)  # map the few distinct values, not every row
    keys = (
        pd.Index(uniques).astype(str).str.strip().str.lower().str.replace(r"\.0$", "", regex=True)
    )
    index = {lab: i for i, lab in enumerate(labels)}
    per_value = np.array([index.get(aliases.get(k, k), -1) for k in keys], dtype=np.int64)
    idx = pd.Series(np.where(per_value[codes] >= 0, per_value[codes], np.nan))
    if idx.isna().any():
        bad = sorted(set(s[idx.isna().to_numpy()].astype(str)))[:5]
        raise InputError(
            f"{what}: values {bad} are not in the life table (which has {list(labels)}); "
            f"recode {what} to one of these, or exclude those rows"
        )
    return idx.to_numpy(dtype=np.int64)


def from_long(
    frame: pd.DataFrame,
    race: bool,
    source: str,
    birthday_shift: bool,
    days_per_age_year: float = DAYS_PER_AGE_YEAR,
) -> RateTable:
    ages = np.sort(frame["age"].unique()).astype(np.int64)
    years = np.sort(frame["year"].unique()).astype(np.int64)
    sexes = ("male", "female")
    races: tuple[str, ...] = tuple(sorted(frame["race"].unique(), reverse=True)) if race else ()
    shape = (len(ages), 2, max(len(races), 1), len(years))
    if len(frame) != np.prod(shape):
        raise InputError(
            f"life table has {len(frame)} rows, expected {int(np.prod(shape))} "
            "(every age x sex x [race x] year once); fill the gaps or drop duplicates"
        )
    hazard = np.full(shape, np.nan)
    ia = np.searchsorted(ages, frame["age"].to_numpy())
    isx = _axis_index(frame["sex"], sexes, _SEX_ALIASES, "sex")
    ir = _axis_index(frame["race"], races, _RACE_ALIASES, "race") if race else 0
    iy = np.searchsorted(years, frame["year"].to_numpy())
    hazard[ia, isx, ir, iy] = frame["daily_hazard"].to_numpy(dtype=np.float64)
    if np.isnan(hazard).any():
        raise InputError("life table has missing cells (age x sex x year); fill the gaps")
    if not np.array_equal(ages, np.arange(ages[0], ages[-1] + 1)):
        raise InputError(f"life table ages must be consecutive single years, got {ages[:5]}…")
    return RateTable(
        hazard, ages, years, sexes, races, birthday_shift, None, source, days_per_age_year
    )


@functools.lru_cache(maxsize=2)
def us(race: bool = False) -> RateTable:
    """The bundled US life tables, 1940–2020, ages 0–109, by sex (and race white/black).

    The numbers of R ``survival::survexp.us`` / ``survexp.usr`` (version 3.8-11); see
    ``netsurv/ratetables/data/README.md`` for provenance. Follow-up after 2020 uses the 2020
    rates (with a warning: 2020 is a pandemic year); choose another year with
    ``us().with_beyond_year(2019)``.

    >>> t = us()
    >>> t.hazard.shape, int(t.years[0]), int(t.years[-1])
    ((110, 2, 1, 81), 1940, 2020)
    """
    name = "us_by_age_sex_race_year.csv.gz" if race else "us_by_age_sex_year.csv.gz"
    ref = importlib.resources.files("netsurv.ratetables") / "data" / name
    with importlib.resources.as_file(ref) as path:
        frame = pd.read_csv(path, dtype={"sex": str, "race": str})
    src = f"US life tables (NCHS, via R survival 3.8-11 survexp.{'usr' if race else 'us'})"
    return from_long(frame, race, src, birthday_shift=True)


def warn_beyond(table: RateTable, last_position_days: float) -> None:
    """Warn once when follow-up runs past the table's last year (rates carried forward)."""
    end = year_start_days(np.array([table.last_year + 1]))[0]
    if last_position_days >= end:
        used = table.beyond_year or table.last_year
        note = " (2020 is a COVID-19 pandemic year)" if used == 2020 else ""
        warnings.warn(
            f"follow-up runs past {table.last_year}, the last year of the life table; the "
            f"{used} rates are carried forward{note}. Choose another year with "
            "lifetable=netsurv.ratetables.us().with_beyond_year(YEAR).",
            UserWarning,
            stacklevel=4,
        )
