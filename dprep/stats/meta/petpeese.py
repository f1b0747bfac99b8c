"""PET, PEESE and the conditional PET-PEESE estimator of Stanley & Doucouliagos (2014)."""

from __future__ import annotations

from typing import Any, Literal

from numpy.typing import ArrayLike
from scipy import stats

from dprep.core import args, fmt
from dprep.core.results import Result, internal, result
from dprep.stats.meta._common import FIXED, METHODS
from dprep.stats.meta.rma import Method, RMAResult, Test, rma
from dprep.stats.meta.smallstudy import regtest

Alternative = Literal["two.sided", "greater", "less"]
_KEYS = ("estimate", "se", "stat", "pval", "ci_lb", "ci_ub")


def _intercept(fit: RMAResult) -> dict[str, float]:
    return {key: float(getattr(fit, "beta" if key == "estimate" else key)[0]) for key in _KEYS}


@result(eq=False)
class PetPeeseResult(Result):
    """PET and PEESE limit estimates (each ``{estimate, se, stat, pval, ci_lb, ci_ub}`` of the intercept), the
    funnel-asymmetry test (the PET slope), and the estimate chosen by the conditional rule."""

    title = "PET-PEESE"

    method: str
    test: str
    level: float
    alpha: float
    alternative: str
    pet: dict[str, float]
    peese: dict[str, float]
    fat_stat: float
    fat_pval: float
    pet_test_pval: float
    chosen: str
    pet_fit: RMAResult = internal()
    peese_fit: RMAResult = internal()

    @property
    def k(self) -> int:
        """Number of studies."""
        return self.pet_fit.k

    @property
    def estimate(self) -> float:
        """The conditional PET-PEESE estimate: PEESE's intercept if PET's test rejects, else PET's."""
        return (self.peese if self.chosen == "PEESE" else self.pet)["estimate"]

    def to_dict(self) -> dict[str, Any]:
        """``pet``, ``peese`` (each estimate, se, stat, pval, ci_lb, ci_ub), ``chosen`` and its ``estimate``,
        the FAT, and the settings."""
        return {"k": self.k, "method": self.method, "test": self.test, "level": self.level, "alpha": self.alpha,
                "alternative": self.alternative, "pet": dict(self.pet), "peese": dict(self.peese),
                "fat_stat": self.fat_stat, "fat_pval": self.fat_pval, "pet_test_pval": self.pet_test_pval,
                "chosen": self.chosen, "estimate": self.estimate}

    def _headline(self) -> dict[str, Any]:
        return {"chosen": self.chosen, "estimate": self.estimate, "pet": self.pet["estimate"],
                "peese": self.peese["estimate"]}

    def _summary_lines(self) -> list[str]:
        stat = "t" if self.test == "knha" else "z"
        row = lambda name, d: (f"{name:<6} b0 = {d['estimate']:.4f} (SE = {d['se']:.4f}), {stat} = {d['stat']:.4f}, "  # noqa: E731
                               f"{fmt.pval(d['pval'], 4, prefix=True)}, CI {fmt.ci(d['ci_lb'], d['ci_ub'], 4)}")
        return [f"Model: {'WLS (fixed effect, multiplicative dispersion)' if self.method == FIXED else self.method}"
                f", {'t' if self.test == 'knha' else 'z'} tests; k = {self.k}", "",
                row("PET", self.pet), row("PEESE", self.peese), "",
                f"FAT (PET slope): {stat} = {self.fat_stat:.4f}, {fmt.pval(self.fat_pval, 4, prefix=True)}",
                f"Conditional rule: PET's test of b0 = 0 ({self.alternative}) gives "
                f"{fmt.pval(self.pet_test_pval, 4, prefix=True)} {'<' if self.chosen == 'PEESE' else '≥'} "
                f"{self.alpha:g}: {self.chosen} ({self.estimate:.4f})"]


def petpeese(
    yi: ArrayLike,
    vi: ArrayLike,
    *,
    method: Method = "FE",
    test: Test = "knha",
    level: float = 0.95,
    alpha: float = 0.05,
    alternative: Alternative = "two.sided",
) -> PetPeeseResult:
    r"""PET, PEESE and conditional PET-PEESE (Stanley & Doucouliagos, 2014).

    PET (precision-effect test) regresses the effects on their standard errors,
    :math:`y_i = b_0 + b_1\sqrt{v_i} + e_i`; PEESE (precision-effect estimate with standard error) on their
    sampling variances, :math:`y_i = b_0 + b_1 v_i + e_i`; each intercept :math:`b_0` estimates the effect of
    a study with se → 0. The conditional estimator reports PEESE's intercept when PET's test of
    :math:`b_0 = 0` rejects at ``alpha`` (there is an effect), and PET's otherwise.

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effect sizes and sampling variances (analysis scale).
    method : {"FE", "REML", "DL", "PM", "ML", "HE"}
        ``"FE"``: Stanley & Doucouliagos's weighted least squares with weights 1/vᵢ and a multiplicative
        dispersion (with ``test="knha"`` exactly R's ``lm(yi ~ sqrt(vi), weights = 1/vi)``); a τ² estimator:
        the random-effects (additive) meta-regression.
    test : {"knha", "z"}
        t tests on k − 2 df with the residual scale (default; the WLS inference) or Wald z tests.
    level : float
        Confidence level of the intervals.
    alpha : float
        Significance level of PET's test that decides between PET and PEESE.
    alternative : {"two.sided", "greater", "less"}
        Direction of PET's test of b₀ = 0 (one-sided variants as in Stanley, 2017).

    Returns
    -------
    PetPeeseResult
        ``pet`` and ``peese`` (intercept estimate, se, stat, p, CI), ``fat_stat``/``fat_pval`` (the PET slope:
        Egger's funnel-asymmetry test), ``pet_test_pval`` and ``chosen`` ("PET" or "PEESE") with its
        ``estimate``.

    Raises
    ------
    ArgumentError (a ValueError)
        On invalid options, or with fewer than 3 studies.

    References
    ----------
    Stanley, T. D., & Doucouliagos, H. (2014). Meta-regression approximations to reduce publication
    selection bias. Research Synthesis Methods, 5(1), 60-78 (PET: eq. 2; PEESE: eq. 5; the conditional
    estimator). Stanley, T. D. (2017). Limitations of PET-PEESE and other meta-analysis methods. Social
    Psychological and Personality Science, 8(5), 581-591. Egger et al. (1997).
    """
    args.option("method", "petpeese", method, (FIXED, *METHODS))
    args.option("alternative", "petpeese", alternative, ("two.sided", "greater", "less"))
    alpha = args.between("alpha", "petpeese", alpha, 0.0, 1.0)
    yi = args.vector("yi", "petpeese", yi, min_size=3)
    base = rma(yi, vi, method=method, test=test, level=level)
    pet, peese = regtest(base, predictor="sei"), regtest(base, predictor="vi")
    b0 = _intercept(pet.fit)
    if alternative == "two.sided":
        p_test = b0["pval"]
    else:
        dist = stats.t(pet.fit.ddf) if test == "knha" else stats.norm
        p_test = float(dist.sf(b0["stat"]) if alternative == "greater" else dist.cdf(b0["stat"]))
    return PetPeeseResult(
        method=method, test=test, level=base.level, alpha=alpha, alternative=alternative, pet=b0,
        peese=_intercept(peese.fit), fat_stat=pet.stat, fat_pval=pet.pval, pet_test_pval=p_test,
        chosen="PEESE" if p_test < alpha else "PET", pet_fit=pet.fit, peese_fit=peese.fit,
    )
