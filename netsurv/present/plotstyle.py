"""Colours, line styles and labels of survival curves, resolved once per figure.

Every element of a curve (line, confidence band, censoring marks, risk-table row, legend)
takes its colour and style from the list this module returns, so recolouring is a parameter
of the plot and everything follows it.

Default colours are fixed per category so a figure means the same thing everywhere: good →
poor prognosis runs blue → orange → vermillion (Okabe & Ito 2008, safe for the common
colour-vision deficiencies) and "unknown" is grey. Other labels take 12 distinct colours, each
with its own line style pattern, so 12 curves differ in colour and neighbours also in style.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from netsurv.errors import InputError

__all__ = [
    "CATEGORY_COLOURS",
    "CYCLE",
    "LINESTYLES",
    "MAX_CURVES_PER_PANEL",
    "resolve_labels",
    "resolve_styles",
    "style_for",
]

# Okabe & Ito (2008) "Color Universal Design"; grey for unknown.
BLUE, SKY, GREEN, ORANGE, VERMILLION, PURPLE, GREY = (
    "#0072B2",
    "#56B4E9",
    "#009E73",
    "#E69F00",
    "#D55E00",
    "#CC79A7",
    "#8C8C8C",
)
CATEGORY_COLOURS: dict[str, str] = {
    "in situ": GREEN,
    "localized": BLUE,
    "regional": ORANGE,
    "distant": VERMILLION,
    "G1": BLUE,
    "G2": ORANGE,
    "G3": VERMILLION,
    "well": BLUE,
    "poor": VERMILLION,
    "NET": BLUE,
    "NEC": VERMILLION,
    "MiNEN": PURPLE,
    "other NEN": SKY,
    "unknown": GREY,
}
# 12 colours: Okabe–Ito without yellow (too light on white), black, then Paul Tol's "muted"
# indigo, wine, olive, teal and rose (https://personal.sron.nl/~pault/), ordered so that
# neighbouring curves are far apart in hue.
CYCLE = (
    BLUE,
    VERMILLION,
    GREEN,
    ORANGE,
    PURPLE,
    "#000000",
    SKY,
    "#882255",
    "#999933",
    "#332288",
    "#44AA99",
    "#CC6677",
)
LINESTYLES = ("-", "--", "-.", ":")
MAX_CURVES_PER_PANEL = 12  # distinguishable in one panel; more go to facets


def style_for(labels: Sequence[tuple[str, ...]], offset: int = 0) -> list[tuple[str, str]]:
    """(colour, line style) per stratum label tuple.

    When every value of the last grouping column has a fixed colour (extent, grade, ...) and
    the other columns have at most 4 combinations, the last column sets the colour and the
    others the line style. Otherwise curve i takes colour ``i mod 12`` and style
    ``(i + i // 12) mod 4``: 48 curves get distinct (colour, style) pairs and consecutive
    curves differ in both. ``offset`` starts the count later (curves already on the Axes).
    """
    last = [lab[-1] if lab else "" for lab in labels]
    rest = [lab[:-1] for lab in labels]
    kinds = list(dict.fromkeys(rest))
    if labels and all(v in CATEGORY_COLOURS for v in last) and len(kinds) <= len(LINESTYLES):
        return [
            (CATEGORY_COLOURS[v], LINESTYLES[kinds.index(r)])
            for v, r in zip(last, rest, strict=True)
        ]
    n = len(CYCLE)
    return [
        (CYCLE[i % n], LINESTYLES[(i + i // n) % 4]) for i in range(offset, offset + len(labels))
    ]


def _palette_colours(palette: str | Sequence[str], k: int) -> list[Any]:
    """k colours from a list of colours or a matplotlib colormap name ("tab10", "viridis")."""
    if not isinstance(palette, str):
        colours = list(palette)
        if not colours:
            raise InputError("palette=[]: give at least one colour")
        return [colours[i % len(colours)] for i in range(k)]
    import matplotlib

    try:
        cmap = matplotlib.colormaps[palette]
    except KeyError:
        raise InputError(
            f"palette={palette!r}: not a matplotlib colormap; try 'tab10', 'Set1', 'Dark2' "
            "or 'viridis', or give a list of colours"
        ) from None
    listed = getattr(cmap, "colors", None)
    if listed is not None and len(listed) <= 20:  # qualitative: colours in order
        return [listed[i % len(listed)] for i in range(k)]
    return [cmap(x) for x in ([0.5] if k == 1 else [0.9 * i / (k - 1) for i in range(k)])]


def _per_curve(value: Any, names: list[str], keys: list[str], param: str) -> list[Any] | None:
    """A list (one per curve) or a mapping keyed by the curve label, as a list; None = unset."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        unknown = [str(key) for key in value if str(key) not in keys]
        if unknown:
            raise InputError(
                f"{param}: no curve labelled {', '.join(map(repr, unknown))}; "
                f"the curves are {', '.join(map(repr, keys))}"
            )
        return [value.get(key, value.get(name)) for key, name in zip(keys, names, strict=True)]
    if isinstance(value, str):
        return [value] * len(keys)
    values = list(value)
    if len(values) < len(keys):
        raise InputError(
            f"{param}: {len(values)} values for {len(keys)} curves "
            f"({', '.join(map(repr, keys))}); give one per curve or a dict by label"
        )
    return values[: len(keys)]


def resolve_styles(
    labels: Sequence[tuple[str, ...]],
    *,
    colors: Any = None,
    palette: str | Sequence[str] | None = None,
    linestyles: Any = None,
    offset: int = 0,
) -> list[tuple[Any, Any]]:
    """(colour, line style) per curve after the user's ``palette``, ``colors`` and ``linestyles``.

    ``colors``/``linestyles``: one value per curve, or a dict keyed by the curve's label
    (``"localized"``, or ``"pancreas, distant"`` for two grouping columns); curves a dict
    leaves out keep their default. ``palette``: a list of colours or a matplotlib colormap
    name, replacing the default colours in curve order.
    """
    base = style_for(labels, offset)
    keys = [", ".join(lab) for lab in labels]
    colours: list[Any] = [c for c, _ in base]
    styles: list[Any] = [s for _, s in base]
    if palette is not None:
        colours = _palette_colours(palette, len(labels))
    for i, c in enumerate(_per_curve(colors, keys, keys, "colors") or []):
        colours[i] = colours[i] if c is None else c
    for i, s in enumerate(_per_curve(linestyles, keys, keys, "linestyles") or []):
        styles[i] = styles[i] if s is None else s
    return list(zip(colours, styles, strict=True))


def resolve_labels(labels: Sequence[tuple[str, ...]], names: Any = None) -> list[str]:
    """Display label per curve: ``names`` as a list (one per curve) or a dict by label."""
    keys = [", ".join(lab) for lab in labels]
    if isinstance(names, str):
        raise InputError(f"labels={names!r}: give a list (one per curve) or a dict by label")
    given = _per_curve(names, keys, keys, "labels")
    if given is None:
        return keys
    return [k if g is None else str(g) for k, g in zip(keys, given, strict=True)]
