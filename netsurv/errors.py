"""Errors raised by netsurv.

Every error says what is wrong, where (parameter, column, or file/line/field) and how to fix it.
All derive from :class:`NetsurvError`, so callers (and the CLI) can catch netsurv's own errors
apart from bugs.
"""

from __future__ import annotations

__all__ = ["InputError", "MissingExtraError", "NetsurvError", "ReadError"]


class NetsurvError(Exception):
    """Base class of every error netsurv raises on purpose."""


class InputError(NetsurvError, ValueError):
    """An argument or a column of the analysed data is unusable (name, bad value, fix)."""


class ReadError(NetsurvError, ValueError):
    """A registry file cannot be read.

    Parameters
    ----------
    message : what is wrong and how to fix it.
    path, line, field, value : where (any may be None); ``line`` is 1-based, or an XML
        location such as ``"Patient 00000123 / Tumor 2"``.
    """

    def __init__(
        self,
        message: str,
        *,
        path: object = None,
        line: object = None,
        field: str | None = None,
        value: object = None,
    ) -> None:
        self.path, self.line, self.field, self.value = path, line, field, value
        where = []
        if path is not None:
            where.append(f"{path}")
        if line is not None:
            where.append(f"line {line}" if isinstance(line, int) else str(line))
        if field is not None:
            where.append(f"field {field!r}")
        if value is not None:
            shown = repr(value)
            where.append(f"value {shown[:80] + '…' if len(shown) > 80 else shown}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class MissingExtraError(NetsurvError, ImportError):
    """An optional engine's package is not installed; the message names the extra."""
