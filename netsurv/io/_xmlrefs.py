"""Entity and character references in NAACCR XML item text, expanded as expat expands them.

Without a DTD, XML defines five entities (``&amp;``, ``&lt;``, ``&gt;``, ``&quot;``,
``&apos;``) and numeric character references (``&#233;``, ``&#xE9;``) to characters XML allows.
The regex scan (:mod:`netsurv.io._xmlscan`) reads item text holding them; any other ``&``
(an undefined entity, a bare ``&``, a reference to a character XML forbids) raises
:class:`~netsurv.io._xmlsubset.NotSubset`, and the event stream reads the file.
"""

from __future__ import annotations

import re

from netsurv.io._xmlsubset import NotSubset

__all__ = ["check_refs", "unescape"]

# the references XML defines without a DTD: five entities and numeric character references
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}  # '&amp;' apart
_REF = re.compile(r"&(?:lt|gt|quot|apos|amp|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")


def _code(ref: str) -> int:
    """The code point of a numeric reference matched by ``_REF``."""
    return int(ref[3:-1], 16) if ref[2] == "x" else int(ref[2:-1])


def _char(ref: str) -> str:
    """The character of a reference matched by ``_REF`` (its code point checked before)."""
    return _ENTITIES.get(ref, "&") if ref[1] != "#" else chr(_code(ref))


def _expand(value: str, refs: dict[str, str], exact: bool) -> str:
    """``value`` with its references replaced as expat replaces them, then stripped.

    ``str.replace`` per distinct reference of the block (``refs``), not one ``re.sub`` calling
    a function per reference: a text item holds dozens of references, and the function calls
    made the scan of ``wide.xml`` (``benchmarks/make_read_files.py``) 1.6 times slower.
    Replaced text is never read again: '&amp;' goes last (its '&' could start another
    reference), and a block with a numeric reference to '&' (``&#38;amp;``) takes the exact
    path, one ``re.sub``."""
    if exact:
        return _REF.sub(lambda m: _char(m.group()), value).strip()
    for ref, char in refs.items():
        if ref != "&amp;":
            value = value.replace(ref, char)
    return value.replace("&amp;", "&").strip()


def unescape(pairs: dict[str, str], refs: dict[str, str], exact: bool) -> dict[str, str]:
    """Item texts with their references replaced (then stripped, as the event stream does)."""
    return {k: _expand(v, refs, exact) if "&" in v else v for k, v in pairs.items()}


def _xml_char(code: int) -> bool:
    """Is ``code`` a character XML 1.0 allows (a reference to any other is an expat error)?"""
    return (
        code in (9, 10, 13)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or (0x10000 <= code <= 0x10FFFF)
    )


def check_refs(text: str) -> dict[str, str]:
    """Every ``&`` starts a reference the scan expands exactly as expat does; returns the
    block's distinct references and their characters."""
    refs = _REF.findall(text)
    if len(refs) != text.count("&"):
        raise NotSubset  # another entity (undefined without a DTD) or a bare '&'
    numeric = {ref: _code(ref) for ref in set(refs) if ref[1] == "#"}
    if not all(map(_xml_char, numeric.values())):
        raise NotSubset
    named = {ref: _char(ref) for ref in set(refs) if ref[1] != "#"}
    return named | {ref: chr(code) for ref, code in numeric.items()}
