"""Slow, obviously correct reference implementations (one subject at a time, plain Python).

Used only by the tests, on random seeds, to check the vectorised kernel and estimators.
They follow the textbook definitions directly:

* at risk at t: subjects with entry < t <= exit;
* Kaplan–Meier: S(t) = prod over event times u <= t of (1 - d(u) / n(u));
* Greenwood: var(log S) = sum d / (n (n - d));
* log-rank: O - E and the hypergeometric variance summed over distinct event times.
"""

from __future__ import annotations

import math


def km_reference(times, events, entries=None, weights=None):
    """Return {time: (n_at_risk, n_events, n_censored, survival, var_log)} at exit times."""
    n = len(times)
    entries = entries or [-math.inf] * n
    weights = weights or [1.0] * n
    grid = sorted(set(times))
    out = {}
    surv, var = 1.0, 0.0
    for t in grid:
        at_risk = sum(w for s, x, w in zip(entries, times, weights, strict=True) if s < t <= x)
        died = sum(w for x, e, w in zip(times, events, weights, strict=True) if x == t and e == 1)
        cens = sum(w for x, e, w in zip(times, events, weights, strict=True) if x == t and e == 0)
        if died > 0:
            surv *= 1 - died / at_risk
            var = var + died / (at_risk * (at_risk - died)) if at_risk > died else math.inf
        out[t] = (at_risk, died, cens, surv, var)
    return out


def logrank_reference(times, events, groups):
    """Two-or-more-group log-rank chi-square (groups sorted), by the textbook formula."""
    labels = sorted(set(groups))
    k = len(labels)
    o = [0.0] * k
    e = [0.0] * k
    v = [[0.0] * k for _ in range(k)]
    for t in sorted({x for x, d in zip(times, events, strict=True) if d == 1}):
        n_g = [
            sum(1 for x, g in zip(times, groups, strict=True) if x >= t and g == lab)
            for lab in labels
        ]
        d_g = [
            sum(
                1
                for x, d, g in zip(times, events, groups, strict=True)
                if x == t and d == 1 and g == lab
            )
            for lab in labels
        ]
        n, d = sum(n_g), sum(d_g)
        for i in range(k):
            o[i] += d_g[i]
            e[i] += d * n_g[i] / n
            if n > 1:
                for j in range(k):
                    kron = 1.0 if i == j else 0.0
                    v[i][j] += d * (n - d) / (n - 1) * (n_g[i] / n) * (kron - n_g[j] / n)
    return o, e, v
