"""Population life tables (package data) and the rate-table lookup used for expected survival.

>>> from netsurv import ratetables
>>> t = ratetables.us()
>>> t.sexes, int(t.years[-1])
(('male', 'female'), 2020)
"""

from __future__ import annotations

from netsurv.ratetables.loaders import from_qx_frame, read_hmd, read_ratetable
from netsurv.ratetables.ratetable import RateTable, us

__all__ = ["RateTable", "from_qx_frame", "read_hmd", "read_ratetable", "us"]
