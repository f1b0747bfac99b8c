"""Shared machinery of the PyMC models: seeded NUTS sampling, the convergence gate, posterior tables."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Mapping, Sequence

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm

from dprep.models.diagnostics import DiagnosticsReport, Thresholds, require_converged
from dprep.stats.prior_posterior import prior_posterior

HDI_PROB = 0.95


# ---------------------------------------------------------------------------------------------
# Shared machinery
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FitTiming:
    """Wall-clock cost of one fit.

    Attributes
    ----------
    compile_seconds : float
        Time in :func:`pymc.sample` outside the sampling loop: graph compilation (C code is cached
        on disk by PyTensor, so a repeat run of the same model compiles faster), initialisation and
        process start-up.
    sample_seconds : float
        Time spent drawing (tuning included), as recorded by PyMC.
    min_ess_bulk : float
        Smallest bulk ESS over the gated parameters.
    """

    compile_seconds: float
    sample_seconds: float
    min_ess_bulk: float

    @property
    def total_seconds(self) -> float:
        """Compilation plus sampling, in seconds."""
        return self.compile_seconds + self.sample_seconds

    @property
    def ess_per_second(self) -> float:
        """Smallest bulk ESS divided by the total time (compilation included)."""
        return self.min_ess_bulk / self.total_seconds

    @property
    def ess_per_sampling_second(self) -> float:
        """Smallest bulk ESS divided by the sampling time alone."""
        return self.min_ess_bulk / self.sample_seconds

    def to_dict(self) -> dict[str, float]:
        """Seconds and ESS per second, for a timing log (they differ on every run)."""
        return {"compile_seconds": self.compile_seconds, "sample_seconds": self.sample_seconds,
                "total_seconds": self.total_seconds, "ess_per_second": self.ess_per_second,
                "ess_per_sampling_second": self.ess_per_sampling_second}


def _sample(
    model: pm.Model, *, draws: int, tune: int, chains: int, cores: int | None, seed: int,
    target_accept: float,
) -> tuple[az.InferenceData, float, float]:
    """Draw from ``model`` with NUTS; return the draws, compile/setup seconds and sampling seconds."""
    start = time.perf_counter()
    with model:
        idata = pm.sample(
            draws=draws, tune=tune, chains=chains, cores=cores, random_seed=seed,
            target_accept=target_accept, progressbar=False, compute_convergence_checks=False,
        )
    total = time.perf_counter() - start
    sampling = float(idata.sample_stats.attrs["sampling_time"])
    return idata, max(total - sampling, 0.0), sampling


def _gate(
    idata: az.InferenceData, compile_s: float, sample_s: float, thresholds: Thresholds
) -> tuple[DiagnosticsReport, FitTiming]:
    report = require_converged(idata, thresholds=thresholds)
    return report, FitTiming(compile_s, sample_s, report.min_ess_bulk)


def _summary(idata: az.InferenceData, var_names: Sequence[str]) -> pd.DataFrame:
    """Tidy posterior table: one row per scalar parameter, 95% HDI, MCSE and diagnostics."""
    s = az.summary(idata, var_names=list(var_names), hdi_prob=HDI_PROB, round_to="none")
    s = s.rename(columns={"hdi_2.5%": "hdi_lb", "hdi_97.5%": "hdi_ub"})
    s.index.name = "parameter"
    return s.reset_index()


def _row(summary: pd.DataFrame, parameter: str) -> pd.Series:
    match = summary.loc[summary["parameter"] == parameter]
    if match.empty:
        raise KeyError(f"{parameter!r} is not in the summary table")
    return match.iloc[0]


def _hdi(summary: pd.DataFrame, parameter: str) -> tuple[float, float]:
    row = _row(summary, parameter)
    return float(row["hdi_lb"]), float(row["hdi_ub"])


def _prior_posterior(idata: az.InferenceData, priors: Mapping[str, object]) -> pd.DataFrame:
    """How much the data moved each parameter: one row per ``parameter`` (a variable, or ``var[label]`` for one
    coordinate) with its prior (a frozen scipy distribution); see :func:`dprep.stats.prior_posterior.prior_posterior`."""
    rows = []
    for parameter, prior in priors.items():
        name, _, label = parameter.partition("[")
        draws = idata.posterior[name]
        if label:
            draws = draws.sel({d: label.rstrip("]") for d in draws.dims if d not in ("chain", "draw")})
        out = prior_posterior(draws.values.ravel(), prior)
        rows.append({"parameter": parameter, **out.to_dict(), "weakly_identified": out.weakly_identified})
    return pd.DataFrame(rows)


def _check_prior(name: str, prior: tuple[float, float]) -> tuple[float, float]:
    mean, sd = (float(v) for v in prior)
    if not (np.isfinite(mean) and np.isfinite(sd) and sd > 0):
        raise ValueError(f"{name} must be (mean, sd) with a finite mean and sd > 0; got {prior!r}.")
    return mean, sd


def _check_studies(yi: Sequence[float], sei: Sequence[float], min_k: int) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(yi, dtype=float)
    se = np.asarray(sei, dtype=float)
    if y.ndim != 1 or se.shape != y.shape:
        raise ValueError(f"yi and sei must be 1-D of equal length; got shapes {y.shape} and {se.shape}.")
    if y.size < min_k:
        raise ValueError(f"At least {min_k} studies are needed; got {y.size}.")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(se)) and np.all(se > 0)):
        raise ValueError("yi must be finite and sei finite and positive (a zero SE gives a study infinite weight).")
    return y, se
