"""Small-count disclosure control for everything one page publishes: primary and complementary
(secondary) cell suppression, audited by linear algebra over the records.

A page (the HTML report and its CSV files) publishes many counts: rows read and usable, each
exclusion reason, cases per year, classification totals, N and events per group of several
survival tables. Each count is the number of records in a set. Hiding the counts from 1 to
``threshold - 1`` (primary suppression) is not enough: "usable" minus the shown reasons, "all
years" minus the shown years, or one table's complete event counts minus another's shown ones
give the hidden count back. :class:`Ledger` therefore knows *which records* every published
count counts, and :meth:`Ledger.protect` hides further counts (complementary suppression)
until no hidden count — and no set difference or union of hidden counts — that lies between 1
and ``threshold - 1`` can be computed from the shown ones by adding and subtracting them, and
no two shown counts, one inside the other, differ by 1 to ``threshold - 1``.

How the audit works
    The records are split into *atoms*: records that belong to exactly the same published
    counts. Every published count is a sum of atom sizes, so a combination of counts is
    derivable exactly when its atom vector lies in the row space of the shown counts' atom
    vectors (atoms inside a shown zero are known to be empty and dropped first). The audit
    finds the hidden counts and the combinations of hidden counts in that row space; for each
    one that is a set of records with 1 to ``threshold - 1`` members it hides the smallest
    non-zero shown count taking part in the derivation, and repeats. Zeros are never hidden.

Counts whose records are not known (``rows=None``) are *opaque*: they are suppressed when small
but cannot take part in the audit; callers register row sets for every count that sums with
others. Inference from bounds (a hidden count is at most a shown total) is not an exact
disclosure and is not audited.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Ledger", "SUPPRESSED"]

SUPPRESSED = "suppressed"  # one word for every hidden count, primary or complementary
_TOL = 1e-7


@dataclass
class Ledger:
    """The counts one page publishes, each with the records it counts.

    Parameters
    ----------
    n_rows : number of records of the frame the row masks refer to.
    threshold : counts from 1 to ``threshold - 1`` are hidden (0 turns suppression off).

    Examples
    --------
    Three reasons that sum to a shown total: hiding the 3 alone would let it be computed as
    40 - 20 - 17, so the next smallest reason is hidden too.

    >>> import numpy as np
    >>> reason = np.array(["a"] * 20 + ["b"] * 17 + ["c"] * 3)
    >>> led = Ledger(len(reason), threshold=16)
    >>> led.add("total", np.ones(len(reason), dtype=bool))
    >>> for r in "abc":
    ...     led.add(r, reason == r)
    >>> sorted(led.protect())
    ['b', 'c']
    """

    n_rows: int
    threshold: int
    values: dict[Hashable, int] = field(default_factory=dict)
    rows: dict[Hashable, np.ndarray] = field(default_factory=dict)
    forced: set[Hashable] = field(default_factory=set)
    pinned: set[Hashable] = field(default_factory=set)

    def add(
        self,
        key: Hashable,
        rows: np.ndarray | None,
        value: int | None = None,
        *,
        hide: bool = False,
        pinned: bool = False,
    ) -> None:
        """Register a published count. ``rows`` is a boolean mask over the records (``None``:
        opaque, then ``value`` is required); ``value`` defaults to ``rows.sum()``; a given
        ``value`` that disagrees with ``rows`` makes the count opaque. ``hide=True`` hides it
        whatever its size (a count the caller cannot check); ``pinned=True`` makes it the last
        choice for complementary suppression (a count also drawn in a figure)."""
        if rows is not None:
            mask = np.asarray(rows, dtype=bool)
            if mask.shape != (self.n_rows,):
                raise ValueError(f"rows for {key!r}: expected {self.n_rows} flags")
            k = int(mask.sum())
            if value is None or int(value) == k:
                self.rows[key] = mask
                value = k
        if value is None:
            raise ValueError(f"count {key!r}: give rows or a value")
        self.values[key] = int(value)
        if hide:
            self.forced.add(key)
        if pinned:
            self.pinned.add(key)

    def primary(self) -> set[Hashable]:
        """Counts hidden for being small (1 to ``threshold - 1``), and those forced hidden."""
        th = self.threshold
        small = {k for k, v in self.values.items() if th > 0 and 0 < v < th}
        return small | set(self.forced)

    def protect(self) -> set[Hashable]:
        """Keys of every count to hide: primary ones plus complementary ones (see module)."""
        hidden = self.primary()
        if self.threshold <= 0:
            return hidden
        keys = list(self.rows)
        if not keys:
            return hidden
        atoms, sizes = _atoms(np.column_stack([self.rows[k] for k in keys]))
        values = np.array([self.values[k] for k in keys], dtype=np.float64)
        pin = np.array([k in self.pinned for k in keys])
        cost = np.where(values > 0, values + pin * (values.max() + 1.0), 0.0)
        known_empty = atoms[values == 0].any(axis=0)  # atoms inside a shown zero
        atoms, sizes = atoms[:, ~known_empty], sizes[~known_empty]
        for _ in range(len(keys)):
            flags = np.array([k in hidden for k in keys])
            leaks = _nested(atoms, sizes, cost, flags, self.threshold)
            if flags.any():
                leaks |= _leaks(atoms, sizes, cost, list(flags), self.threshold)
                leaks |= _derived_nested(atoms, sizes, cost, flags, self.threshold)
            if not leaks:
                break
            hidden |= {keys[i] for i in leaks}
        return hidden


def _atoms(member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct membership patterns of the records (cells × atoms, 0/1) and their sizes."""
    packed = np.packbits(member, axis=1)  # one byte string per record
    keep = packed.any(axis=1)  # records in no published count play no part
    rows, sizes = np.unique(packed[keep], axis=0, return_counts=True)
    bits = np.unpackbits(rows, axis=1, count=member.shape[1]).astype(bool)
    return bits.T, sizes.astype(np.float64)


def _leaks(
    atoms: np.ndarray, sizes: np.ndarray, cost: np.ndarray, hidden: list[bool], th: int
) -> set[int]:
    """Shown counts to hide next: one per derivable small set built from hidden counts, the
    cheapest non-zero shown count taking part in its derivation (``cost``: the count, pinned
    counts last)."""
    hid = np.flatnonzero(hidden)
    shown = np.flatnonzero(~np.asarray(hidden))
    if len(shown) == 0:
        return set()
    u, s, vt = _row_space(atoms[shown].astype(np.float64))  # shown counts × atoms
    v = atoms[hid].T.astype(np.float64)  # atoms × hidden counts
    resid = v - vt.T @ (vt @ v)  # the part no combination of shown counts reaches
    # combinations c of hidden counts with v @ c derivable: the null space of resid, in
    # reduced row-echelon form (sparse: a partition's hidden parts come out as 0/1 rows)
    vals, vecs = np.linalg.eigh(resid.T @ resid)
    null = vecs[:, vals < _TOL * max(1.0, float(np.abs(vals).max(initial=0.0)))].T
    out: set[int] = set()
    for c in _rref(null):
        w = v @ c  # the derivable combination, over atoms
        support = np.abs(w) > 1e-6
        if not support.any():
            continue
        level = w[support]
        if np.ptp(level) > 1e-6 * np.abs(level).max():
            continue  # not one set of records (a weighted combination)
        count = float(sizes[support].sum())
        if not 0 < count < th:
            continue
        coef = u @ ((vt @ (w / level[0])) / s)  # w = coef @ a_shown
        used = [
            (cost[shown[i]], shown[i])
            for i in np.flatnonzero(np.abs(coef) > 1e-6)
            if cost[shown[i]] > 0
        ]
        if used:
            out.add(min(used)[1])
    return out


def _nested(
    atoms: np.ndarray, sizes: np.ndarray, cost: np.ndarray, hidden: np.ndarray, th: int
) -> set[int]:
    """Shown counts to hide so that no two shown counts, one a subset of the other, differ by
    1 to ``th - 1`` records ("localized: 500" in one table, "localized, analysed: 497" in
    another give the 3 left out); the cheaper of each such pair is hidden."""
    shown = np.flatnonzero(~hidden)
    out: set[int] = set()
    for i, j in _small_gaps(atoms[shown], sizes, th):
        if shown[i] in out or shown[j] in out:
            continue  # this round already broke the pair
        pick = [k for k in (shown[i], shown[j]) if cost[k] > 0]
        if pick:
            out.add(min(pick, key=lambda k: cost[k]))
    return out


def _derived_nested(
    atoms: np.ndarray, sizes: np.ndarray, cost: np.ndarray, hidden: np.ndarray, th: int
) -> set[int]:
    """Shown counts to hide so that no hidden count that the shown ones give back (a total
    minus its shown parts) lies, one inside the other, 1 to ``th - 1`` records from a shown
    or another such count: for each such pair the cheapest non-zero shown count in the
    derivation of its hidden member is hidden (found in the demo report: thymus hidden in a
    column summing to the records read, its analysed N hidden in a table whose N sum to the
    usable records given by another table's N, 15 records apart)."""
    shown = np.flatnonzero(~hidden)
    if len(shown) == 0:
        return set()
    u, s, vt = _row_space(atoms[shown].astype(np.float64))
    hid = np.flatnonzero(hidden)
    v = atoms[hid].T.astype(np.float64)  # atoms x hidden counts
    derivable = hid[np.abs(v - vt.T @ (vt @ v)).max(axis=0, initial=0.0) < 1e-6]
    if len(derivable) == 0:
        return set()
    known = np.r_[shown, derivable]
    out: set[int] = set()
    for i, j in _small_gaps(atoms[known], sizes, th):
        for h in (known[i], known[j]):
            if not hidden[h]:
                continue
            coef = u @ ((vt @ atoms[h].astype(np.float64)) / s)  # count h = coef @ a_shown
            used = [(cost[shown[k]], shown[k]) for k in np.flatnonzero(np.abs(coef) > 1e-6)]
            used = [c for c in used if c[0] > 0]
            if used:
                out.add(min(used)[1])
    return out


def _row_space(a_shown: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(u, s, vt)``: orthonormal rows ``vt`` spanning the shown counts' atom vectors, from
    their Gram matrix (small: counts × counts; the entries are exact integers in float64), and
    ``u``, ``s`` to express a vector of that space as a combination of the counts."""
    lam, u = np.linalg.eigh(a_shown @ a_shown.T)
    keep = lam > 1e-9 * max(1.0, float(lam.max(initial=0.0)))
    u, s = u[:, keep], np.sqrt(lam[keep])
    return u, s, (u.T @ a_shown) / s[:, None]


def _small_gaps(a: np.ndarray, sizes: np.ndarray, th: int) -> Iterator[tuple[int, int]]:
    """Pairs (i, j) of the counts ``a`` (counts × atoms) with count j inside count i and 1 to
    ``th - 1`` records between them."""
    a = a.astype(np.float64)
    inter = (a * sizes) @ a.T  # records in both counts
    size = np.diag(inter).copy()
    inside = np.abs(inter - size[None, :]) < 0.5  # [i, j]: count j lies inside count i
    gap = size[:, None] - size[None, :]
    yield from zip(*np.nonzero(inside & (gap > 0.5) & (gap < th - 0.5)), strict=True)


def _rref(mat: np.ndarray) -> list[np.ndarray]:
    """Rows of the reduced row-echelon form of ``mat`` (Gauss-Jordan, partial pivoting)."""
    m = mat.copy()
    rows: list[np.ndarray] = []
    r = 0
    for col in range(m.shape[1]):
        if r == m.shape[0]:
            break
        piv = r + int(np.argmax(np.abs(m[r:, col])))
        if abs(m[piv, col]) < 1e-9:
            continue
        m[[r, piv]] = m[[piv, r]]
        m[r] /= m[r, col]
        others = np.arange(m.shape[0]) != r
        m[others] -= np.outer(m[others, col], m[r])
        r += 1
    for row in m[:r]:
        row[np.abs(row) < 1e-9] = 0.0
        rows.append(row)
    return rows
