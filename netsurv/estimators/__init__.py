"""Estimate: pure functions from a canonical frame (or a counts table) to frozen results.

Each public estimator validates its inputs once (:mod:`netsurv.counting.validate`), counts
(:mod:`netsurv.counting`) and returns a result object from :mod:`netsurv.results`.
"""
