"""Entity and character references in NAACCR XML item text, expanded by expat itself.

Without a DTD, XML defines five entities (``&amp;``, ``&lt;``, ``&gt;``, ``&quot;``,
``&apos;``) and numeric character references (``&#233;``, ``&#xE9;``) to characters XML allows.
The regex scan (:mod:`netsurv.io._xmlscan`) hands the raw text of every item that holds an
``&`` to :func:`expand`, which has expat read them all at once as the text of one small
document: the characters come out exactly as the event stream's expat produces them (white
space, ``<``, ``&``, quotes; ``&#38;amp;`` is ``&amp;``), and any other ``&`` (an undefined
entity, a bare ``&``, a reference to a character XML forbids) is an expat error, raised as
:class:`~netsurv.io._xmlsubset.NotSubset`: the event stream then reads the file and names it.

Measured on ``wide.xml`` (``benchmarks/make_read_files.py``: four long text items per tumour
with dozens of references each): ``str.replace`` per item and per distinct reference took
0.15 s per 60 MB of blocks, one ``re.sub`` calling a function per reference 0.22 s, expat on
the joined texts 0.07 s.
"""

from __future__ import annotations

from xml.parsers import expat

from netsurv.io._xmlsubset import NotSubset

__all__ = ["expand"]

_MAX_BUFFER = 1 << 30  # pyexpat's text buffer is a C int of bytes


def expand(raws: list[str], amps: int) -> list[str]:
    """Each raw item text (no ``<`` in it, line ends normalised) with its references replaced
    as expat replaces them, then stripped as the event stream strips item text.

    ``amps`` is the number of ``&`` the texts must hold between them (all those of a block
    but the ones read otherwise): one outside the texts raises :class:`NotSubset`. The texts
    are joined as ``<a>t1<b/>t2<b/>...</a>``. With text buffering, pyexpat hands a text to the
    character handler in one call when its buffer holds it, and a start handler flushes the
    buffer at each ``<b/>``; a text that does not come back as one piece (too long for the
    buffer, or empty) makes the counts differ, and the event stream reads the file."""
    document = "<a>" + "<b/>".join(raws) + "</a>"
    if document.count("&") != amps:
        raise NotSubset  # an '&' outside the item texts: in text between tags, say
    if not raws:
        return []
    out: list[str] = []
    parser = expat.ParserCreate()
    parser.buffer_size = min(4 * max(map(len, raws)) + 16, _MAX_BUFFER)  # UTF-8 bytes
    parser.buffer_text = True
    parser.CharacterDataHandler = out.append
    starts: dict[str, dict[str, str]] = {}
    parser.StartElementHandler = starts.__setitem__  # a start handler flushes the text
    try:
        parser.Parse(document, True)
    except expat.ExpatError as exc:
        raise NotSubset from exc
    if len(out) != len(raws):
        raise NotSubset
    return [text.strip() for text in out]
