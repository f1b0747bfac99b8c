"""The sensitivity analyses of one meta-analysis, run together: publication bias (trim-and-fill, PET-PEESE,
selection models) and influence (case deletion, leave-one-out, Baujat, GOSH, cumulative, permutation tests)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from dprep.core import fmt
from dprep.core.errors import ConvergenceError
from dprep.core.results import Result, internal, result
from dprep.stats.meta.influence import GoshResult, InfluenceResult, baujat, cumul, gosh, influence, leave1out
from dprep.stats.meta.permutation import PermutationResult, permutest
from dprep.stats.meta.petpeese import PetPeeseResult, petpeese
from dprep.stats.meta.rma import RMAResult, rma
from dprep.stats.meta.selection import SelectionModelResult, selmodel
from dprep.stats.meta.smallstudy import trimfill

_COLUMNS = ["analysis", "estimate", "se", "ci_lb", "ci_ub", "pval", "note"]


@result(eq=False)
class SensitivityResult(Result):
    """The sensitivity analyses of one model. ``estimates`` sets the pooled estimate beside its bias-adjusted
    versions (one row per analysis: ``analysis, estimate, se, ci_lb, ci_ub, pval, note``); the other fields
    hold each analysis in full (a selection model that cannot be fitted is ``None`` with the reason in
    ``estimates.note``)."""

    title = "Sensitivity analyses"

    estimates: pd.DataFrame
    selection: dict[str, SelectionModelResult | None]
    petpeese: PetPeeseResult
    influence: InfluenceResult
    leave1out: pd.DataFrame
    baujat: pd.DataFrame
    cumulative: pd.DataFrame | None
    gosh: GoshResult
    permutation: PermutationResult
    moderator_permutation: PermutationResult | None
    model: RMAResult = internal()

    def to_frame(self) -> pd.DataFrame:
        """The estimates table."""
        return self.estimates.copy()

    def to_dict(self) -> dict[str, Any]:
        """Every analysis as plain Python (the per-study tables as lists of records; GOSH summarised)."""
        return {
            "estimates": self.estimates.to_dict(orient="records"),
            "selection": {name: None if fit is None else fit.to_dict() for name, fit in self.selection.items()},
            "petpeese": self.petpeese.to_dict(), "influence": self.influence.to_dict(),
            "leave1out": self.leave1out.to_dict(orient="records"), "baujat": self.baujat.to_dict(orient="records"),
            "cumulative": None if self.cumulative is None else self.cumulative.to_dict(orient="records"),
            "gosh": self.gosh.to_dict(), "permutation": self.permutation.to_dict(),
            "moderator_permutation": None if self.moderator_permutation is None else self.moderator_permutation.to_dict(),
        }

    def _headline(self) -> dict[str, Any]:
        return {"k": self.model.k, "analyses": len(self.estimates)}


def _row(analysis: str, estimate: float, se: float, ci_lb: float, ci_ub: float, pval: float, note: str = "") -> dict:
    return dict(zip(_COLUMNS, (analysis, estimate, se, ci_lb, ci_ub, pval, note)))


def sensitivity(
    result: RMAResult,
    labels: Sequence[str] | None = None,
    *,
    order: ArrayLike | None = None,
    mods: ArrayLike | pd.Series | pd.DataFrame | None = None,
    steps: Sequence[float] = (0.025, 0.5, 1.0),
    alternative: str = "greater",
    gosh_subsets: int | None = None,
    permutations: int = 1000,
    seed: int | None = None,
) -> SensitivityResult:
    """Run the sensitivity analyses of a random-effects meta-analysis.

    Parameters
    ----------
    result : RMAResult
        The intercept-only model (its method, test and level are used throughout).
    labels : sequence of str, shape (k,), optional
        Study labels.
    order : array_like, shape (k,), optional
        Values (e.g. publication years) for a cumulative meta-analysis in that order; none without them.
    mods : array_like, pandas.Series or DataFrame, optional
        A moderator whose meta-regression gets a permutation test too.
    steps, alternative
        The step-function selection model's cut points and the direction of its p-values
        (:func:`selmodel`); the beta model uses the same ``alternative``.
    gosh_subsets : int, optional
        Cap on the GOSH subsets (:func:`gosh`, fitted with the fixed-effect model as metafor's usual GOSH
        plot); default: all subsets up to 10⁶.
    permutations : int
        Random permutations of the permutation tests (exact when that needs no more fits).
    seed : int, optional
        Seed of the GOSH sample and of the permutation tests.

    Returns
    -------
    SensitivityResult

    Raises
    ------
    ArgumentError (a ValueError)
        If ``result`` has moderators or the arguments are invalid.

    References
    ----------
    Duval & Tweedie (2000); Stanley & Doucouliagos (2014); Vevea & Hedges (1995); Citkowicz & Vevea (2017);
    Viechtbauer & Cheung (2010); Baujat et al. (2002); Olkin et al. (2012); Follmann & Proschan (1999);
    see :func:`trimfill`, :func:`petpeese`, :func:`selmodel`, :func:`influence`, :func:`baujat`,
    :func:`gosh`, :func:`permutest`.
    """
    if not result.int_only:
        raise ValueError("The 'result' parameter of sensitivity must be an intercept-only model. "
                         f"Got coefficients {result.coef_names} instead.")
    yi, vi = np.asarray(result.yi), np.asarray(result.vi)
    rows = [_row(f"Random effects ({result.method})", result.estimate, float(result.se[0]), float(result.ci_lb[0]),
                 float(result.ci_ub[0]), float(result.pval[0]))]
    filled = trimfill(result)
    rows.append(_row("Trim-and-fill", filled.fit.estimate, float(filled.fit.se[0]), float(filled.fit.ci_lb[0]),
                     float(filled.fit.ci_ub[0]), float(filled.fit.pval[0]), f"k0 = {filled.k0} ({filled.side})"))
    pp = petpeese(yi, vi, level=result.level)
    for name, part in (("PET", pp.pet), ("PEESE", pp.peese)):
        rows.append(_row(name, part["estimate"], part["se"], part["ci_lb"], part["ci_ub"], part["pval"],
                         "chosen by PET-PEESE" if pp.chosen == name else ""))
    selection: dict[str, SelectionModelResult | None] = {}
    for name, kwargs in (("stepfun", {"steps": steps}), ("beta", {})):
        label = ("Step-function selection (p cut at " + ", ".join(f"{s:g}" for s in steps) + ")"
                 if name == "stepfun" else "Beta selection")
        try:
            fit = selmodel(result, name, alternative=alternative, **kwargs)
        except (ValueError, ConvergenceError) as err:
            selection[name] = None
            rows.append(_row(label, np.nan, np.nan, np.nan, np.nan, np.nan, f"not fitted: {err}"))
            continue
        selection[name] = fit
        rows.append(_row(label, fit.estimate, float(fit.se[0]), float(fit.ci_lb[0]), float(fit.ci_ub[0]),
                         float(fit.pval[0]), f"LRT for selection: {fmt.pval(fit.lrt_pval, prefix=True)}"
                         + (f"; {fit.note}" if fit.note else "")))
    mod_perm = None
    if mods is not None:
        mod_fit = rma(yi, vi, mods=mods, method=result.method, test=result.test, level=result.level, tol=result.tol)
        mod_perm = permutest(mod_fit, iter=permutations, seed=seed)
    return SensitivityResult(
        estimates=pd.DataFrame(rows, columns=_COLUMNS), selection=selection, petpeese=pp,
        influence=influence(result, labels), leave1out=leave1out(result, labels), baujat=baujat(result, labels),
        cumulative=None if order is None else cumul(result, order, labels),
        gosh=gosh(rma(yi, vi, method="FE", level=result.level), subsets=gosh_subsets, seed=seed),
        permutation=permutest(result, iter=permutations, seed=seed), moderator_permutation=mod_perm, model=result,
    )
