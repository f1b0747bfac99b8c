"""Small telescopes (Simonsohn 2015): d33 of the original and the test of the replication against it."""

from __future__ import annotations

from scipy import optimize, stats

from dprep.core import args
from dprep.core.results import Result, result
from dprep.stats.noncentral import nct_cdf
from dprep.stats.replication._common import _count, _df, _scale


@result
class SmallTelescopes(Result):
    """Small-telescopes test of a replication.

    Attributes
    ----------
    d33 : float
        Effect size (d, in the original's direction) the original design had ``power`` to detect
        with a two-sided test at ``alpha``.
    power, alpha : float
        Power defining the small effect (1/3) and the original test's significance level.
    rep_t : float
        Replication t statistic, signed so that positive = the original's direction.
    rep_df : int
        Replication degrees of freedom.
    ncp : float
        Noncentrality of the replication t under δ = d33.
    pval : float
        One-sided P(T ≤ rep_t | δ = d33): small values mean the replication effect is significantly
        smaller than d33.
    too_small : bool
        ``pval < alpha``: the original's telescope was too small to have seen this effect.
    """

    d33: float
    power: float
    alpha: float
    rep_t: float
    rep_df: int
    ncp: float
    pval: float
    too_small: bool



def _two_sided_power(d: float, n1: int, n2: int, df: int, alpha: float) -> float:
    """P(|T| ≥ t_crit) for T ~ t(df, d/√(1/n1 + 1/n2)); the upper tail as P(T ≤ −t_crit) at −ncp, and both
    tails with :func:`nct_cdf`, which stays finite where SciPy's ``nct.cdf`` returns NaN (large ncp and df)."""
    ncp = d / _scale(n1, n2)
    crit = stats.t.ppf(1.0 - alpha / 2, df)
    return nct_cdf(-crit, df, -ncp) + nct_cdf(-crit, df, ncp)


def small_telescopes(orig_n1: int, orig_n2: int, rep_d: float, rep_n1: int, rep_n2: int, *,
                     power: float = 1.0 / 3.0, alpha: float = 0.05, orig_df: int | None = None,
                     rep_df: int | None = None) -> SmallTelescopes:
    """Small-telescopes test: is the replication effect significantly smaller than d33?

    Parameters
    ----------
    orig_n1, orig_n2 : int
        Group sizes of the original study.
    rep_d : float
        Replication Cohen's d, signed so that positive = the original study's direction.
    rep_n1, rep_n2 : int
        Group sizes of the replication.
    power : float, default 1/3
        Power that defines a "small" effect.
    alpha : float, default 0.05
        Two-sided level of the original test and one-sided level of the small-telescopes test.
    orig_df, rep_df : int, optional
        Degrees of freedom (default n1 + n2 − 2).

    Returns
    -------
    SmallTelescopes

    Raises
    ------
    ValueError
        On invalid sizes, ``power`` ∉ (alpha, 1), or ``alpha`` ∉ (0, 0.5).

    Notes
    -----
    d33 solves power(d) = 1/3 for the original two-sample t test, power counting both rejection
    tails (as ``pwr::pwr.t2n.test`` used in Simonsohn's code). The replication is then tested with
    H0: δ = d33 against H1: δ < d33 using the noncentral t distribution.

    References
    ----------
    Simonsohn, U. (2015). Small telescopes: Detectability and the evaluation of replication
    results. Psychological Science, 26, 559–569.
    """
    func = "small_telescopes"
    on1, on2 = _count("orig_n1", func, orig_n1), _count("orig_n2", func, orig_n2)
    rn1, rn2 = _count("rep_n1", func, rep_n1), _count("rep_n2", func, rep_n2)
    rep_d = args.finite("rep_d", func, rep_d)
    alpha = args.between("alpha", func, alpha, 0.0, 0.5)
    power = args.finite("power", func, power)
    if not alpha < power < 1:
        raise ValueError(f"The 'power' parameter of {func} must be in (alpha, 1). Got {power!r} instead.")
    odf, rdf = _df(func, orig_df, on1, on2, "orig_df"), _df(func, rep_df, rn1, rn2, "rep_df")
    hi = 1.0
    while _two_sided_power(hi, on1, on2, odf, alpha) < power:
        hi *= 2.0
    d33 = optimize.brentq(lambda d: _two_sided_power(d, on1, on2, odf, alpha) - power, 0.0, hi,
                          xtol=1e-12, rtol=1e-12)
    s = _scale(rn1, rn2)
    rep_t = rep_d / s
    ncp = d33 / s
    p = nct_cdf(rep_t, rdf, ncp)
    return SmallTelescopes(d33=float(d33), power=power, alpha=alpha, rep_t=rep_t, rep_df=rdf,
                           ncp=ncp, pval=p, too_small=bool(p < alpha))
