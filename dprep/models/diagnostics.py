"""MCMC convergence gates: R-hat, bulk/tail ESS and divergences, with messages that say why it matters.

Every Bayesian fit in :mod:`dprep.models` calls :func:`require_converged` before it returns, so a
result that reaches a report has passed these checks.  The thresholds follow Vehtari et al. (2021):
rank-normalised split R-hat below 1.01 and bulk and tail effective sample sizes (ESS) of at least
100 per chain (400 for four chains), with no divergent transitions.

References
----------
Vehtari, A., Gelman, A., Simpson, D., Carpenter, B. & Bürkner, P.-C. (2021). Rank-normalization,
folding, and localization: an improved R-hat for assessing convergence of MCMC. *Bayesian Analysis*
16(2), 667–718. doi:10.1214/20-BA1221 (rank-normalised split R-hat; bulk and tail ESS).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

import arviz as az
import numpy as np
import pandas as pd

from dprep.core.errors import ConvergenceError
from dprep.core.results import Result, internal, result

__all__ = [
    "ConvergenceError",
    "DiagnosticsReport",
    "Thresholds",
    "check_diagnostics",
    "require_converged",
]


@dataclass(frozen=True)
class Thresholds:
    """Pass/fail limits for :func:`check_diagnostics`.

    Attributes
    ----------
    rhat_max : float
        Largest acceptable rank-normalised split R-hat.
    ess_bulk_min : float
        Smallest acceptable bulk ESS (draws, summed over chains).
    ess_tail_min : float
        Smallest acceptable tail ESS (minimum of the 5% and 95% quantile ESS).
    allow_divergences : int
        Largest acceptable number of divergent transitions after tuning, over all chains.
    """

    rhat_max: float = 1.01
    ess_bulk_min: float = 400
    ess_tail_min: float = 400
    allow_divergences: int = 0


@result(eq=False)
class DiagnosticsReport(Result):
    """Outcome of the convergence checks of one fit.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per scalar parameter (vector elements as ``theta[3]``) with columns ``parameter``,
        ``r_hat``, ``ess_bulk``, ``ess_tail``, ``ok_r_hat``, ``ok_ess_bulk``, ``ok_ess_tail``.
    n_divergent : int
        Divergent transitions after tuning, summed over chains.
    n_draws : int
        Posterior draws, summed over chains.
    thresholds : Thresholds
        The limits the table was judged against.
    """

    title = "MCMC convergence gates"

    table: pd.DataFrame
    n_divergent: int
    n_draws: int
    thresholds: Thresholds = internal(default=Thresholds())

    def to_frame(self) -> pd.DataFrame:
        """The per-parameter table (R-hat, bulk and tail ESS, and whether each passes)."""
        return self.table

    def _headline(self) -> dict:
        return {"passed": self.passed, "n_divergent": self.n_divergent,
                "max_r_hat": float(self.table["r_hat"].max()), "min_ess_bulk": self.min_ess_bulk}

    def summary(self) -> str:
        """The gates' verdict, each failure in a sentence, and the per-parameter table."""
        verdict = "all gates passed" if self.passed else "FAILED:\n" + "\n".join(f"- {f}" for f in self.failures)
        return (f"{self.title}: {verdict}\n{self.n_divergent} divergent transitions in {self.n_draws} draws\n\n"
                + self.table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))

    @property
    def passed(self) -> bool:
        """True when every parameter passes and the divergences are within the allowance."""
        checks = self.table[["ok_r_hat", "ok_ess_bulk", "ok_ess_tail"]].to_numpy()
        return bool(checks.all()) and self.n_divergent <= self.thresholds.allow_divergences

    @property
    def failures(self) -> list[str]:
        """One sentence per failed check, naming the parameter, its value and the consequence."""
        t = self.thresholds
        out: list[str] = []
        for row in self.table.itertuples(index=False):
            if not row.ok_r_hat:
                out.append(
                    f"R-hat of {row.parameter} = {row.r_hat:.3f} exceeds {t.rhat_max:g}: the chains "
                    "disagree; estimates are unreliable. Increase tune/draws or reparameterise."
                )
            if not row.ok_ess_bulk:
                out.append(
                    f"bulk ESS of {row.parameter} = {row.ess_bulk:.0f} is below {t.ess_bulk_min:g}: "
                    "its posterior mean and sd carry too much Monte Carlo error. Increase draws."
                )
            if not row.ok_ess_tail:
                out.append(
                    f"tail ESS of {row.parameter} = {row.ess_tail:.0f} is below {t.ess_tail_min:g}: "
                    "its 95% interval ends carry too much Monte Carlo error. Increase draws."
                )
        if self.n_divergent > t.allow_divergences:
            out.append(
                f"{self.n_divergent} divergent transitions (allowed: {t.allow_divergences}): the sampler "
                "missed part of the posterior, so every estimate may be biased. Raise target_accept "
                "or reparameterise (non-centred)."
            )
        return out

    @property
    def min_ess_bulk(self) -> float:
        """Smallest bulk ESS over the checked parameters."""
        return float(self.table["ess_bulk"].min())


def _divergences(idata: az.InferenceData) -> int:
    stats = getattr(idata, "sample_stats", None)
    if stats is None or "diverging" not in stats:
        return 0
    return int(np.asarray(stats["diverging"]).sum())


def check_diagnostics(
    idata: az.InferenceData,
    *,
    var_names: Sequence[str] | None = None,
    rhat_max: float = 1.01,
    ess_bulk_min: float = 400,
    ess_tail_min: float = 400,
    allow_divergences: int = 0,
) -> DiagnosticsReport:
    """Compute R-hat, bulk and tail ESS per parameter and count divergences.

    Parameters
    ----------
    idata : arviz.InferenceData
        Must hold a ``posterior`` group with dimensions ``(chain, draw, ...)``; at least two chains
        are needed for R-hat.
    var_names : sequence of str, optional
        Posterior variables to check; default all of them (deterministics included).
    rhat_max, ess_bulk_min, ess_tail_min, allow_divergences
        Limits; see :class:`Thresholds`.

    Returns
    -------
    DiagnosticsReport
        Table and pass/fail verdict.  Parameters whose draws are all equal (a constant
        deterministic) get R-hat NaN from ArviZ; they are reported but not failed.  Any other NaN
        (e.g. NaN draws) fails.

    Raises
    ------
    ValueError
        If ``idata`` has no posterior group or fewer than two chains (R-hat is then undefined,
        so convergence cannot be judged).

    References
    ----------
    Vehtari et al. (2021), *Bayesian Analysis* 16(2), 667–718: rank-normalised split R-hat and
    bulk/tail ESS, and the recommended limits (R-hat < 1.01, ESS > 100 per chain).
    """
    if not hasattr(idata, "posterior"):
        raise ValueError("idata has no posterior group: nothing to check.")
    posterior = idata.posterior
    if posterior.sizes.get("chain", 0) < 2:
        raise ValueError("At least two chains are needed for R-hat; convergence cannot be judged from one.")
    names = list(var_names) if var_names is not None else list(posterior.data_vars)
    with warnings.catch_warnings():
        # ArviZ divides by a zero within-chain variance for constant draws; those get R-hat NaN.
        warnings.simplefilter("ignore", RuntimeWarning)
        summary = az.summary(idata, var_names=names, kind="diagnostics", round_to="none")
    constant = summary["r_hat"].isna() & (summary["mcse_mean"] == 0)
    table = pd.DataFrame(
        {
            "parameter": summary.index.astype(str),
            "r_hat": summary["r_hat"].to_numpy(dtype=float),
            "ess_bulk": summary["ess_bulk"].to_numpy(dtype=float),
            "ess_tail": summary["ess_tail"].to_numpy(dtype=float),
        }
    )
    const = constant.to_numpy()
    table["ok_r_hat"] = const | (table["r_hat"] <= rhat_max).to_numpy()
    table["ok_ess_bulk"] = const | (table["ess_bulk"] >= ess_bulk_min).to_numpy()
    table["ok_ess_tail"] = const | (table["ess_tail"] >= ess_tail_min).to_numpy()
    n_draws = int(posterior.sizes["chain"] * posterior.sizes["draw"])
    return DiagnosticsReport(
        table=table,
        n_divergent=_divergences(idata),
        n_draws=n_draws,
        thresholds=Thresholds(rhat_max, ess_bulk_min, ess_tail_min, allow_divergences),
    )


def require_converged(
    idata: az.InferenceData,
    *,
    var_names: Sequence[str] | None = None,
    thresholds: Thresholds = Thresholds(),
) -> DiagnosticsReport:
    """Run :func:`check_diagnostics` and raise unless every check passes.

    Parameters
    ----------
    idata : arviz.InferenceData
        Fitted model (posterior and, for divergences, sample_stats groups).
    var_names : sequence of str, optional
        Variables to gate; default all posterior variables.
    thresholds : Thresholds
        Limits to apply.

    Returns
    -------
    DiagnosticsReport
        The (passing) report, to be stored with the result.

    Raises
    ------
    ConvergenceError
        If any parameter fails R-hat, bulk ESS or tail ESS, or there are too many divergences. The
        message lists every failure with the parameter name and value, e.g. ``R-hat of tau = 1.030
        exceeds 1.01: the chains disagree; estimates are unreliable. Increase tune/draws or
        reparameterise.``
    """
    report = check_diagnostics(
        idata,
        var_names=var_names,
        rhat_max=thresholds.rhat_max,
        ess_bulk_min=thresholds.ess_bulk_min,
        ess_tail_min=thresholds.ess_tail_min,
        allow_divergences=thresholds.allow_divergences,
    )
    if not report.passed:
        raise ConvergenceError(
            "MCMC convergence checks failed; the posterior summaries are not reported.\n- "
            + "\n- ".join(report.failures)
        )
    return report


def diagnostics_rows(model: str, report: DiagnosticsReport) -> tuple[pd.DataFrame, dict]:
    """A fit's per-parameter diagnostics table (``model`` first) and one row of its gate results.

    Parameters
    ----------
    model : str
        Name of the model, written into every row.
    report : DiagnosticsReport
        The fit's gate report.

    Returns
    -------
    (DataFrame, dict)
        R-hat, bulk/tail ESS per parameter; and divergences, draws, gate result, extreme R-hat and
        ESS. Both follow from the seed alone; the fit's wall-clock costs are in its
        :class:`~dprep.models._sampling.FitTiming`, which belongs in a timing log.
    """
    table = report.table.assign(model=model)
    gate = {"model": model, "n_divergent": report.n_divergent, "n_draws": report.n_draws,
            "passed": report.passed, "max_r_hat": float(report.table["r_hat"].max()),
            "min_ess_bulk": report.min_ess_bulk, "min_ess_tail": float(report.table["ess_tail"].min())}
    return table[["model", *report.table.columns]], gate
