"""Every replication metric for one original / replication pair, in one result."""

from __future__ import annotations

from typing import Literal

from dprep.core import args, fmt
from dprep.core.results import Result, result
from dprep.stats.effects import DInterval
from dprep.stats.noncentral import NCT_MAX_T
from dprep.stats.replication._common import _count, _df, _scale, _sesoi
from dprep.stats.replication.bayes_factor import ReplicationBF, replication_bf_t
from dprep.stats.replication.combine import FixedEffect, QTest, fixed_effect, q_test
from dprep.stats.replication.equivalence import TOSTResult, tost_equivalence
from dprep.stats.replication.intervals import d_confidence_interval, d_standard_error, prediction_interval
from dprep.stats.replication.sceptical import p_sceptical
from dprep.stats.replication.telescopes import SmallTelescopes, small_telescopes


@result
class ReplicationReport(Result):
    """All replication metrics for one original / replication pair (d scale).

    Attributes
    ----------
    original, replication : DInterval
        Estimates with their confidence intervals.
    original_se, replication_se : float
        Large-sample standard errors (used by the normal-theory metrics).
    original_in_replication_ci, replication_in_original_ci : bool
        Whether each estimate lies inside the other's confidence interval.
    pi_lb, pi_ub : float
        Patil et al. (2016) prediction interval for the replication estimate.
    replication_in_prediction_interval : bool
        Whether the replication estimate falls inside it.
    small_telescopes : SmallTelescopes
    replication_bf : ReplicationBF
        Verhagen & Wagenmakers (2014) t-test version (exact posterior).
    sceptical_pval : float
        ReplicationSuccess ``pSceptical(zo, zr, c, alternative = "one.sided", type = "golden")``,
        zo = d_o/se_o, zr = d_r/se_r, c = se_o²/se_r².
    sceptical_c : float
        The variance ratio c used.
    tost : TOSTResult
        Equivalence test of the replication against ±SESOI.
    q_test : QTest
    fixed_effect : FixedEffect
    sesoi, level : float
        Settings used (``sesoi`` in d units, after resolving ``"d33"``).
    sesoi_rule : str
        How the SESOI was set: ``"d33"`` (the original's small-telescopes d33) or ``"fixed"``.
    notes : tuple of str
        Assumptions behind the numbers.
    """

    original: DInterval
    replication: DInterval
    original_se: float
    replication_se: float
    original_in_replication_ci: bool
    replication_in_original_ci: bool
    pi_lb: float
    pi_ub: float
    replication_in_prediction_interval: bool
    small_telescopes: SmallTelescopes
    replication_bf: ReplicationBF
    sceptical_pval: float
    sceptical_c: float
    tost: TOSTResult
    q_test: QTest
    fixed_effect: FixedEffect
    sesoi: float
    level: float
    notes: tuple
    sesoi_rule: str = "fixed"

    def _headline(self) -> dict:
        return {"original_d": self.original.estimate, "replication_d": self.replication.estimate,
                "pi_lb": self.pi_lb, "pi_ub": self.pi_ub, "log_bf_r0": self.replication_bf.log_bf_r0,
                "sceptical_pval": self.sceptical_pval}

    def _bf_line(self) -> str:
        bf = self.replication_bf
        if bf.bf_overflow:
            return f"replication BF_r0 beyond the float range: log BF_r0 = {bf.log_bf_r0:.3f}"
        return f"replication BF_r0 = {fmt.num(bf.bf_r0, 3)} (BF_0r = {fmt.num(bf.bf_0r, 3)})"

    def summary(self) -> str:
        """The metrics, one per line, with the settings and notes."""
        o, r = self.original, self.replication
        lines = [
            f"original d = {o.estimate:.3f} {fmt.ci(o.ci_lb, o.ci_ub, 3)}; replication d = {r.estimate:.3f} "
            f"{fmt.ci(r.ci_lb, r.ci_ub, 3)} ({round(100 * self.level, 6):g}% CIs, {o.method})",
            f"replication in the original's CI: {self.replication_in_original_ci}; original in the "
            f"replication's CI: {self.original_in_replication_ci}",
            f"prediction interval {fmt.ci(self.pi_lb, self.pi_ub, 3)}; replication inside: "
            f"{self.replication_in_prediction_interval}",
            f"small telescopes: d33 = {self.small_telescopes.d33:.3f}, {fmt.pval(self.small_telescopes.pval, prefix=True)}"
            f", too small: {self.small_telescopes.too_small}",
            self._bf_line(),
            f"sceptical p = {fmt.num(self.sceptical_pval, 4)} (c = {self.sceptical_c:.3f})",
            f"TOST against ±{self.sesoi:.3f} ({self.sesoi_rule}): {fmt.pval(self.tost.pval, prefix=True)}, "
            f"equivalent: {self.tost.equivalent}",
            f"Q test of the difference: Q = {self.q_test.q:.3f}, {fmt.pval(self.q_test.pval, prefix=True)}",
            f"fixed-effect pool: {self.fixed_effect.estimate:.3f} "
            f"{fmt.ci(self.fixed_effect.ci_lb, self.fixed_effect.ci_ub, 3)}",
            "", "Notes:", *(f"- {n}" for n in self.notes)]
        return "Replication metrics\n\n" + "\n".join(lines)


def replication_report(orig_d: float, orig_n1: int, orig_n2: int, rep_d: float, rep_n1: int, rep_n2: int,
                       *, sesoi: float | Literal["d33"] = "d33", level: float = 0.95, orig_df: int | None = None,
                       rep_df: int | None = None, ci_method: Literal["nct", "normal"] = "nct") -> ReplicationReport:
    """Every replication metric of this module for one pair of Cohen's d estimates.

    Parameters
    ----------
    orig_d : float
        Original Cohen's d; its sign defines the hypothesized direction (must be non-zero).
    orig_n1, orig_n2 : int
        Original group sizes (2 to 10⁹, :data:`~dprep.stats.replication.N_MAX`).
    rep_d : float
        Replication Cohen's d, on the same sign convention (negative = opposite direction).
    rep_n1, rep_n2 : int
        Replication group sizes.
    sesoi : float or "d33", default "d33"
        Smallest effect size of interest for the TOST, in d units, in (0, 100]
        (:data:`~dprep.stats.replication.SESOI_MAX`), or ``"d33"``: the effect
        the original study had 33% power to detect (:func:`small_telescopes`). d33 is the SESOI
        Lakens, Scheel & Isager (2018, "Equivalence testing for psychological research", AMPPS 1,
        259–269) propose for replications when no theory fixes one: an effect smaller than d33
        could not have been detected reliably by the original, so the original cannot count as
        evidence for it (Simonsohn 2015).
    level : float, default 0.95
        Level of the confidence and prediction intervals; TOST and small telescopes use
        α = 1 − level.
    orig_df, rep_df : int, optional
        Degrees of freedom of each t (default n1 + n2 − 2); e.g. 27 for an F(1, 27) contrast from
        a three-group ANOVA. At most 2·10⁹ (:data:`~dprep.stats.replication.DF_MAX`: the t is the
        normal distribution there to within 1e-9; beyond, SciPy loses accuracy).
    ci_method : {"nct", "normal"}, default "nct"
        Interval method for d.

    Returns
    -------
    ReplicationReport

    Raises
    ------
    ValueError
        If ``orig_d`` is zero, a d gives |t| = |d|/√(1/n1 + 1/n2) above 10,000
        (:data:`~dprep.stats.noncentral.NCT_MAX_T`), or any argument is invalid.

    References
    ----------
    See the functions called: :func:`d_confidence_interval`, :func:`prediction_interval`,
    :func:`small_telescopes`, :func:`replication_bf_t`, :func:`p_sceptical`,
    :func:`tost_equivalence`, :func:`q_test`, :func:`fixed_effect`.
    """
    func = "replication_report"
    orig_d = args.finite("orig_d", func, orig_d)
    if orig_d == 0:
        args.fail("orig_d", func, "be non-zero (it sets the direction)", orig_d)
    rep_d = args.finite("rep_d", func, rep_d)
    level = args.level(func, level)
    alpha = round(1.0 - level, 12)
    on1, on2 = _count("orig_n1", func, orig_n1), _count("orig_n2", func, orig_n2)
    rn1, rn2 = _count("rep_n1", func, rep_n1), _count("rep_n2", func, rep_n2)
    odf, rdf = _df(func, orig_df, on1, on2, "orig_df"), _df(func, rep_df, rn1, rn2, "rep_df")
    for name, d, n1, n2 in (("orig_d", orig_d, on1, on2), ("rep_d", rep_d, rn1, rn2)):
        args.check(abs(d / _scale(n1, n2)) <= NCT_MAX_T, name, func,
                   f"give |t| = |d|/√(1/n1 + 1/n2) ≤ {NCT_MAX_T:,.0f} (beyond it SciPy's noncentral t is not "
                   "accurate enough to invert)", d)

    orig_ci = d_confidence_interval(orig_d, on1, on2, level=level, df=odf, method=ci_method)
    rep_ci = d_confidence_interval(rep_d, rn1, rn2, level=level, df=rdf, method=ci_method)
    se_o, se_r = d_standard_error(orig_d, on1, on2), d_standard_error(rep_d, rn1, rn2)
    pi = prediction_interval(orig_d, se_o, se_r, level=level)
    direction = 1.0 if orig_d > 0 else -1.0
    st = small_telescopes(on1, on2, direction * rep_d, rn1, rn2, alpha=min(alpha, 0.49), orig_df=odf, rep_df=rdf)
    rbf = replication_bf_t(orig_d / _scale(on1, on2), (on1, on2), rep_d / _scale(rn1, rn2), (rn1, rn2),
                           df_orig=odf, df_rep=rdf)
    c = se_o ** 2 / se_r ** 2
    ps = p_sceptical(orig_d / se_o, rep_d / se_r, c, alternative="one.sided", type="golden")
    if isinstance(sesoi, str):
        if sesoi != "d33":
            args.fail("sesoi", func, "be a number in (0, 100] or 'd33'", sesoi)
        sesoi_rule, sesoi = "d33", st.d33
    else:
        sesoi_rule, sesoi = "fixed", _sesoi(func, sesoi)
    tost = tost_equivalence(rep_d, rn1, rn2, sesoi=sesoi, alpha=min(alpha, 0.49), df=rdf)
    qt = q_test(orig_d, se_o, rep_d, se_r)
    fe = fixed_effect([orig_d, rep_d], [se_o, se_r], level=level)
    notes = (
        "Effect sizes are Cohen's d (pooled SD), not bias-corrected Hedges' g.",
        f"Confidence intervals: {'noncentral-t inversion' if ci_method == 'nct' else 'normal approximation'}; "
        f"df original = {odf}, replication = {rdf}.",
        "Standard errors for the prediction interval, sceptical p, Q test and fixed-effect pool: "
        "sqrt((n1+n2)/(n1 n2) + d^2/(2(n1+n2))) (normal approximation).",
        "Sceptical p: one-sided, golden recalibration (ReplicationSuccess >= 1.1 default); "
        "c = se_o^2/se_r^2; threshold 0.025.",
        "Replication Bayes factor: Verhagen & Wagenmakers (2014), flat prior on delta for the original "
        "posterior, exact quadrature.",
        f"Small telescopes and TOST use alpha = {min(alpha, 0.49):.3g}; TOST bounds are +/- SESOI in d units"
        + (" (SESOI = d33 of the original, Lakens, Scheel & Isager 2018)." if sesoi_rule == "d33" else " (fixed SESOI)."),
        "The fixed-effect pool assumes both studies estimate the same effect; see the Q test.",
    )
    return ReplicationReport(
        original=orig_ci, replication=rep_ci, original_se=se_o, replication_se=se_r,
        original_in_replication_ci=rep_ci.contains(orig_d), replication_in_original_ci=orig_ci.contains(rep_d),
        pi_lb=pi[0], pi_ub=pi[1], replication_in_prediction_interval=bool(pi[0] <= rep_d <= pi[1]),
        small_telescopes=st, replication_bf=rbf, sceptical_pval=ps, sceptical_c=c, tost=tost, q_test=qt,
        fixed_effect=fe, sesoi=float(sesoi), level=level, notes=notes, sesoi_rule=sesoi_rule,
    )
