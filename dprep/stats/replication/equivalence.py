"""TOST equivalence test of a replication against a smallest effect size of interest (Lakens 2017)."""

from __future__ import annotations


from scipy import stats

from dprep.core import args
from dprep.core.results import Result, result
from dprep.stats.replication._common import _count, _df, _scale, _sesoi
from dprep.stats.replication.intervals import d_confidence_interval


@result
class TOSTResult(Result):
    """Two one-sided tests of |δ| < SESOI for Cohen's d (Student t, pooled SD).

    Attributes
    ----------
    estimate, sesoi : float
        Cohen's d and the smallest effect size of interest (d units, > 0).
    t_lower, t_upper : float
        t statistics against −SESOI (H0: δ ≤ −SESOI) and +SESOI (H0: δ ≥ +SESOI).
    pval_lower, pval_upper, pval : float
        One-sided p-values and the TOST p = max of both.
    df : int
        Degrees of freedom.
    ci_lb, ci_ub : float
        (1 − 2α) noncentral-t interval for δ; equivalence ⇔ it lies within ±SESOI (approximately).
    equivalent : bool
        ``pval < alpha``.
    alpha : float
        Level of each one-sided test.
    """

    estimate: float
    sesoi: float
    t_lower: float
    t_upper: float
    pval_lower: float
    pval_upper: float
    pval: float
    df: int
    ci_lb: float
    ci_ub: float
    equivalent: bool
    alpha: float



def tost_equivalence(d: float, n1: int, n2: int, *, sesoi: float, alpha: float = 0.05,
                     df: int | None = None) -> TOSTResult:
    """TOST equivalence test for a standardized mean difference.

    Parameters
    ----------
    d : float
        Cohen's d.
    n1, n2 : int
        Group sizes (≥ 2 each).
    sesoi : float
        Smallest effect size of interest, in d units, in (0, 100] (:data:`~dprep.stats.replication.SESOI_MAX`);
        bounds are ±sesoi.
    alpha : float, default 0.05
        Level of each one-sided test.
    df : int, optional
        Degrees of freedom (default n1 + n2 − 2).

    Returns
    -------
    TOSTResult

    Raises
    ------
    ValueError
        On non-finite ``d``, sizes outside [2, 10⁹], ``sesoi`` outside (0, 100], ``df`` outside [1, 2·10⁹] or
        ``alpha`` ∉ (0, 0.5).

    Notes
    -----
    The bounds ±SESOI·s_pooled on the raw scale give t_lower = (d + SESOI)/√(1/n1+1/n2) and
    t_upper = (d − SESOI)/√(1/n1+1/n2) with Student's df, as TOSTER's ``TOSTtwo`` with bounds in d.

    References
    ----------
    Lakens, D. (2017). Equivalence tests: A practical primer for t tests, correlations, and
    meta-analyses. Social Psychological and Personality Science, 8, 355–362. Schuirmann, D. J.
    (1987). J. Pharmacokinet. Biopharm., 15, 657–680.
    """
    func = "tost_equivalence"
    d = args.finite("d", func, d)
    n1, n2 = _count("n1", func, n1), _count("n2", func, n2)
    sesoi = _sesoi(func, sesoi)
    alpha = args.between("alpha", func, alpha, 0.0, 0.5)
    df = _df(func, df, n1, n2)
    s = _scale(n1, n2)
    t_lo, t_hi = (d + sesoi) / s, (d - sesoi) / s
    p_lo, p_hi = float(stats.t.sf(t_lo, df)), float(stats.t.cdf(t_hi, df))
    ci = d_confidence_interval(d, n1, n2, level=1 - 2 * alpha, df=df)
    p = max(p_lo, p_hi)
    return TOSTResult(estimate=d, sesoi=sesoi, t_lower=t_lo, t_upper=t_hi, pval_lower=p_lo, pval_upper=p_hi, pval=p,
                      df=df, ci_lb=ci.ci_lb, ci_ub=ci.ci_ub, equivalent=bool(p < alpha), alpha=alpha)
