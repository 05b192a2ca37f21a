"""Published NET/NEC survival figures (``catalog.csv``) and :func:`reproduce`, which checks them."""

from __future__ import annotations

from netsurv.published.checks import catalog, reproduce, reproduce_summary

__all__ = ["catalog", "reproduce", "reproduce_summary"]
