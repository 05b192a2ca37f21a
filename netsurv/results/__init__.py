"""Frozen result objects returned by the estimators, and their confidence bands.

Results import nothing from the estimators; a result's ``plot()`` reaches
:mod:`netsurv.present.plotting` lazily (matplotlib is loaded only when a plot is drawn).
"""
