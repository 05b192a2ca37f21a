# Types of the compiled module netsurv/counting/_runs.c (see its docstrings).
import numpy as np

def group(
    time: np.ndarray, event: np.ndarray, codes: np.ndarray, keys: np.ndarray, bounds: np.ndarray
) -> None: ...
def fix(
    keys: np.ndarray,
    bounds: np.ndarray,
    changed: np.ndarray,
    target: np.ndarray,
    first: int,
    stop: int,
) -> int: ...
def runs(
    keys: np.ndarray,
    bounds: np.ndarray,
    first: int,
    stop: int,
    at: int,
    time_at: int,
    stratum: np.ndarray,
    time: np.ndarray,
    events: np.ndarray,
    censored: np.ndarray,
    at_risk: np.ndarray,
) -> int: ...
def distinct(values: np.ndarray) -> int: ...
def ties(u: np.ndarray, threshold: float, changed: np.ndarray, target: np.ndarray) -> int: ...
