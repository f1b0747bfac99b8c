"""The foundation: one message shape for bad arguments, one exception hierarchy, one formatter, one
results convention."""

import math

import numpy as np
import pytest

from dprep.core import args, fmt
from dprep.core.errors import ArgumentError, ConvergenceError, DataError, DprepError, RenderError
from dprep.core.results import Interval, Result, internal, plain, result


@pytest.mark.parametrize("call, message", [
    (lambda: args.integer("n1", "d_ci", 1, 2), "The 'n1' parameter of d_ci must be an integer ≥ 2. Got 1 instead."),
    (lambda: args.integer("n1", "d_ci", True, 2), "The 'n1' parameter of d_ci must be an integer ≥ 2. Got True instead."),
    (lambda: args.integer("n1", "d_ci", 2.5, 2), "The 'n1' parameter of d_ci must be an integer ≥ 2. Got 2.5 instead."),
    (lambda: args.finite("t", "f", float("nan")), "The 't' parameter of f must be a finite number. Got nan instead."),
    (lambda: args.finite("t", "f", "x"), "The 't' parameter of f must be a finite number. Got 'x' instead."),
    (lambda: args.positive("sd", "f", 0), "The 'sd' parameter of f must be a finite number > 0. Got 0 instead."),
    (lambda: args.nonnegative("f", "g", -1), "The 'f' parameter of g must be a finite number ≥ 0. Got -1 instead."),
    (lambda: args.level("rma", 95), "The 'level' parameter of rma must be in (0, 1). Got 95 instead."),
    (lambda: args.option("test", "rma", "t", ("z", "knha")),
     "The 'test' parameter of rma must be one of 'z', 'knha'. Got 't' instead."),
    (lambda: args.vector("yi", "rma", [1.0, np.inf]),
     "The 'yi' parameter of rma must contain finite numbers only. Got inf at position 1 instead."),
    (lambda: args.vector("yi", "rma", [[1.0]]),
     "The 'yi' parameter of rma must be a 1-d array with at least 1 value(s). Got shape (1, 1) instead."),
    (lambda: args.vector("vi", "rma", [1.0], size=2), "The 'vi' parameter of rma must have length 2. Got length 1 instead."),
])
def test_one_message_shape(call, message):
    with pytest.raises(ArgumentError) as err:
        call()
    assert str(err.value) == message


def test_values_pass_through_converted():
    assert args.integer("n", "f", 13.0, 2) == 13 and isinstance(args.integer("n", "f", np.int64(3), 2), int)
    assert args.between("a", "f", 0.0, 0.0, 1.0, closed="left") == 0.0
    assert args.vector("x", "f", [1, 2]).dtype == float


def test_exception_hierarchy():
    for cls, builtin in ((ArgumentError, ValueError), (DataError, ValueError), (ConvergenceError, RuntimeError),
                         (RenderError, RuntimeError)):
        assert issubclass(cls, DprepError) and issubclass(cls, builtin)


@pytest.mark.parametrize("value, digits, text", [
    (0.40612, 2, "0.41"), (7410.0, 2, "7,410"), (-0.93, 2, "-0.93"), (4.2e-05, 3, "4.2e-05"), (0.0, 2, "0.00"),
    (None, 2, "—"), (float("nan"), 2, "—"), (float("inf"), 2, "∞"),
])
def test_num(value, digits, text):
    assert fmt.num(value, digits) == text


@pytest.mark.parametrize("p, text", [(0.3641, ".364"), (0.0004, "< .001"), (0.001, ".001"), (1.0, "1.000"),
                                     (None, "—")])
def test_pval_is_apa(p, text):
    assert fmt.pval(p) == text
    assert fmt.pval(p, prefix=True) == ("p " + text if text.startswith("<") else f"p = {text}")


def test_statistics_and_intervals():
    assert fmt.statistic("F", "4.59", "1", "27") == "F(1, 27) = 4.59"
    assert fmt.statistic("t", -0.93, None, 24) == "t(24) = -0.93"
    assert fmt.statistic("chi2", "13.90", "2", None) == "χ²(2) = 13.90"
    assert fmt.statistic("z", 1.96) == "z = 1.96"
    assert fmt.ci(0.2841, 0.5149) == "[0.28, 0.51]" and fmt.pct(0.1646) == "16.5%"


@result(eq=False)
class _Fit(Result):
    title = "A fit"
    estimate: float
    se: float
    ci_lb: float
    ci_ub: float
    pval: float
    data: np.ndarray = internal()


def test_results_convention():
    fit = _Fit(0.5, 0.1, 0.3, 0.7, 0.01, data=np.arange(1e5))
    assert fit.to_dict() == {"estimate": 0.5, "se": 0.1, "ci_lb": 0.3, "ci_ub": 0.7, "pval": 0.01}
    assert list(fit.to_frame().columns) == ["estimate", "se", "ci_lb", "ci_ub", "pval"]
    assert repr(fit) == "_Fit(estimate=0.5000, se=0.1000, ci_lb=0.3000, ci_ub=0.7000, pval=0.0100)"
    assert fit.summary().startswith("A fit\n") and "<pre>A fit" in fit._repr_html_()
    with pytest.raises(AttributeError):
        fit.estimate = 1.0  # frozen


def test_html_repr_is_escaped():
    @result
    class Labelled(Result):
        label: str

    assert "&lt;script&gt;" in Labelled("<script>").__class__._repr_html_(Labelled("<script>"))


def test_interval_and_plain():
    iv = Interval(0.5, 0.1, 0.9, 0.95)
    assert iv.contains(0.9) and not iv.contains(0.95)
    assert plain({"a": np.float64(1.5), "b": np.array([1, 2]), "c": (np.bool_(True),), "d": iv}) == {
        "a": 1.5, "b": [1, 2], "c": [True], "d": {"estimate": 0.5, "ci_lb": 0.1, "ci_ub": 0.9, "level": 0.95}}
    assert math.isnan(plain(np.float64("nan")))
