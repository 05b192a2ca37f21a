"""Relative and net survival against population rate tables (R ``relsurv``, SEER*Stat).

:mod:`~.ratemap` holds :class:`~.ratemap.RateMap`, the population-matching arguments of
every function below; :mod:`~.subjects` turns registry columns into positions in a rate
table, :mod:`~.sums` (kernel :mod:`~.activesums`) holds the additive per-subject sums, :mod:`~.net` the estimators (Pohar Perme, Ederer II),
:mod:`~.expected` expected survival, :mod:`~.compare` the Pohar Perme test, :mod:`~.lifetable`
SEER*Stat's actuarial relative survival table and :mod:`~.chunks` the same sums out of core
(reading through :mod:`~.chunkruns`).
"""
