"""Bundled and simulated data: RADIANT-4 (reconstructed trial data) and a synthetic registry."""

from __future__ import annotations

from netsurv.datasets.loaders import load_radiant4, load_synthetic_registry
from netsurv.datasets.simulate import simulate_registry
from netsurv.datasets.truth import true_survival

__all__ = ["load_radiant4", "load_synthetic_registry", "simulate_registry", "true_survival"]
