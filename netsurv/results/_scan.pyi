# Types of the compiled module netsurv/results/_scan.c (see its docstring).
import numpy as np

def product_limit(
    n: np.ndarray, d: np.ndarray, offsets: np.ndarray, survival: np.ndarray, se_log: np.ndarray
) -> None: ...
