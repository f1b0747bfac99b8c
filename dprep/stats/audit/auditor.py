"""The audit of a table of reported tests: per-row checks and the cross-checks between rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from dprep.core import args, fmt
from dprep.core.results import Result, result
from dprep.stats.audit.pvalues import STATISTICS, Check, check_p, recompute_p
from dprep.stats.audit.tables import check_measures, validate_group_summaries, validate_reported_tests
from dprep.stats.effects import (cohens_d_from_t, cohens_d_from_t_df, epsilon2_from_f, epsilon2_kruskal, eta2_ci,
                                 eta2_from_f, eta2_kruskal, f_from_eta2, omega2_from_f)
from dprep.stats.sumstats import (DerivedValue, ReportedNumber, implied_missing_mean, mse_from_contrast_f,
                                  parse_reported, pooled_sd_from_t, propagate_rounding)


_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
_CI_CONVENTIONS = ((0.95, "N"), (0.90, "N"), (0.95, "df_error"), (0.90, "df_error"))


def _norm(text: str) -> str:
    text = re.sub(r"\([^)]*\)", " ", str(text).lower().replace("_", " "))
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class _Group:
    name: str
    n: int | None
    means: dict[str, str]  # measure (the group_summaries key) -> mean as written


class _Study:
    """Group sizes and means of one study, looked up by name and measure."""

    def __init__(self, rows: pd.DataFrame):
        self.groups: dict[str, _Group] = {}
        for _, r in rows.iterrows():
            g = self.groups.setdefault(r["group"], _Group(r["group"], None, {}))
            if r["n"]:
                g.n = int(float(r["n"]))
            if r["mean"]:
                g.means[r["measure"]] = r["mean"]
        self.measures = {m for m in rows["measure"] if m}

    def match(self, token: str) -> str | None:
        words = set(token.split())
        for test in (
            lambda g: _norm(g) == token,
            lambda g: set(_norm(g).split()) <= words,
            lambda g: words <= set(_norm(g).split()),
        ):
            hits = [g for g in self.groups if test(g)]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                return None
        return None

    def contrast(self, comparison: str) -> tuple[list[str], list[str]] | None:
        parts = re.split(r"\s+(?:vs\.?|versus)\s+", _norm(comparison).replace(" combined", ""))
        if len(parts) != 2:
            return None
        sides = []
        for part in parts:
            names = [self.match(tok.strip()) for tok in re.split(r",|\band\b|&|\+", part) if tok.strip()]
            if not names or None in names:
                return None
            sides.append(names)
        if set(sides[0]) & set(sides[1]):
            return None
        return sides[0], sides[1]

    def omnibus(self, comparison: str) -> bool:
        match = re.fullmatch(r"(all|\w+) groups", _norm(comparison))
        if match is None:
            return False
        word = match.group(1)
        k = len(self.groups) if word == "all" else _NUMBER_WORDS.get(word, int(word) if word.isdigit() else -1)
        return k == len(self.groups)

    def sizes(self, df_error: float | None = None) -> tuple[dict[str, int], list[str]] | None:
        """Group sizes; when none is known, equal sizes inferred from the error df if possible."""
        if all(g.n is not None for g in self.groups.values()):
            return {name: g.n for name, g in self.groups.items()}, []
        k = len(self.groups)
        if df_error is not None and all(g.n is None for g in self.groups.values()) and (df_error + k) % k == 0:
            n = int((df_error + k) // k)
            return {name: n for name in self.groups}, [
                f"group sizes not reported: equal sizes n = {n} inferred from error df {df_error:g} with {k} groups"
            ]
        return None

    def means(self, measure: str, names: Sequence[str] | None = None) -> dict[str, str] | None:
        """Means of ``names`` (default: all groups) for ``measure`` (a test's ``measure`` key); None if the
        key is empty or any of them is missing."""
        if not measure:
            return None
        names = list(self.groups) if names is None else list(names)
        out = {name: self.groups[name].means.get(measure) for name in names}
        return None if any(v is None for v in out.values()) else out


# ------------------------------------------------------------------------- the audit
@result(eq=False)
class AuditResult(Result):
    """Audit output: one row per reported test (``tests``) and the derived values (``derived``)."""

    tests: pd.DataFrame
    derived: pd.DataFrame

    def to_dict(self) -> dict:
        """``{"tests": [...], "derived": [...]}`` with one plain dict per row."""
        return {
            "tests": self.tests.to_dict(orient="records"),
            "derived": self.derived.to_dict(orient="records"),
        }


def _f(text: str) -> float | None:
    return float(text) if text else None


def _computable(values: dict[str, Any]) -> None:
    """Raise ValueError naming the first recomputed value (or interval) that is not a finite number: a
    comparison with NaN would silently read as a mismatch."""
    for name, value in values.items():
        flat = np.asarray(list(value.values()) if isinstance(value, dict) else value, dtype=float)
        if not np.all(np.isfinite(flat)):
            raise ValueError(f"{name} cannot be computed (it is {flat.tolist()})")


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _es_match(
    reported: ReportedNumber, candidates: dict[str, tuple[float, float, float]]
) -> tuple[list[str], str]:
    _computable(candidates)
    matched = [name for name, (_, lo, hi) in candidates.items() if _overlap((lo, hi), (reported.lb, reported.ub))]
    listing = "; ".join(f"{name} = {fmt.num(v)} [{fmt.num(lo)}, {fmt.num(hi)}]" for name, (v, lo, hi) in candidates.items())
    return matched, listing


class _Auditor:
    def __init__(self, tests: pd.DataFrame, groups: pd.DataFrame | None, alpha: float, rounding: bool):
        self.tests, self.alpha, self.rounding = tests, alpha, rounding
        self.studies = {} if groups is None else {s: _Study(rows) for s, rows in groups.groupby("study_id", sort=False)}
        self.checks: dict[str, list[Check]] = {tid: [] for tid in tests["test_id"]}
        self.es: dict[str, dict[str, Any]] = {tid: {} for tid in tests["test_id"]}
        self.derived: list[dict[str, Any]] = []
        self.mse_by_row: dict[str, DerivedValue] = {}
        self.sd_by_row: dict[str, DerivedValue] = {}

    # -- helpers
    def reported(self, text: str, name: str) -> ReportedNumber:
        return parse_reported(text, name, exact=not self.rounding)

    def add_derived(self, study: str, test_ids: Sequence[str], value: DerivedValue) -> None:
        self.derived.append({"study_id": study, "source_tests": list(test_ids), **value.to_dict()})

    # -- per-row checks
    def p_check(self, row: pd.Series) -> None:
        tid, stat = row["test_id"], row["statistic"]
        if not stat:
            self.checks[tid].append(Check("p", "not_checkable", "No test statistic is reported, so no p-value can be recomputed."))
            return
        df1, df2 = _f(row["df1"]), _f(row["df2"])
        try:
            p = recompute_p(stat, float(row["value"]), df1, df2)
        except ValueError as exc:
            self.checks[tid].append(Check("p", "not_checkable", f"The p-value cannot be recomputed: {exc}"))
            return
        if not row["p_reported"]:
            kind = STATISTICS[stat.lower()]
            self.checks[tid].append(
                Check(
                    "p",
                    "not_checkable",
                    f"No p-value is reported for {fmt.statistic(kind, row['value'], df1, df2)}; "
                    f"the recomputed p would be {fmt.num(p, 4)}.",
                    {"p": p, "p_lb": np.nan, "p_ub": np.nan},
                )
            )
            return
        self.checks[tid].append(check_p(stat, row["value"], df1, df2, row["p_reported"], self.alpha, self.rounding))

    def d_check(self, row: pd.Series, study: _Study | None) -> None:
        tid = row["test_id"]
        t_rep, d_rep = self.reported(row["value"], "value"), self.reported(row["effect_value"], "effect_value")
        df = _f(row["df2"]) or _f(row["df1"])
        candidates = {"d = 2t/√df": propagate_rounding(lambda t: cohens_d_from_t_df(t, df), [t_rep])}
        assumption = ""
        sides = study.contrast(row["comparison"]) if study else None
        sized = study.sizes(df) if study else None
        if sides and sized and len(sides[0]) == len(sides[1]) == 1:
            sizes = sized[0]
            n1, n2 = sizes[sides[0][0]], sizes[sides[1][0]]
        elif df and float(df + 2) % 2 == 0:
            n1 = n2 = int((df + 2) / 2)
            assumption = f" (group sizes not known: equal n = {n1} assumed from df = {df:g})"
        else:
            n1 = n2 = None
        if n1:
            candidates = {
                f"d = t·√(1/n1 + 1/n2) with n = {n1}, {n2}": propagate_rounding(lambda t: cohens_d_from_t(t, n1, n2), [t_rep]),
                **candidates,
            }
        matched, listing = _es_match(d_rep, candidates)
        first = next(iter(candidates))
        best = matched[0] if matched else first
        self.es[tid] = dict(zip(("recomputed_es", "recomputed_es_lb", "recomputed_es_ub"), candidates[best]))
        self.es[tid]["es_definition"] = best if matched else "none"
        if matched:
            which = " and ".join(matched)
            other = [n for n in candidates if n not in matched]
            note = f"; it does not match {other[0]}" if other else ""
            self.checks[tid].append(
                Check("effect size", "consistent", f"Reported d = {d_rep.text or d_rep.value} matches {which}{note} ({listing}){assumption}.",
                      {"candidates": candidates, "matched": matched})
            )
        else:
            self.checks[tid].append(
                Check("effect size", "inconsistent", f"Reported d = {d_rep.text or d_rep.value} matches no standard formula ({listing}){assumption}.",
                      {"candidates": candidates, "matched": []})
            )

    def eta2_from_f_check(self, row: pd.Series) -> None:
        tid = row["test_id"]
        f_rep, e_rep = self.reported(row["value"], "value"), self.reported(row["effect_value"], "effect_value")
        df1, df2 = float(row["df1"]), float(row["df2"])
        candidates = {
            "η² = F·df1/(F·df1 + df2)": propagate_rounding(lambda f: eta2_from_f(f, df1, df2), [f_rep]),
            "ε² = df1(F − 1)/(F·df1 + df2)": propagate_rounding(lambda f: epsilon2_from_f(f, df1, df2), [f_rep]),
            "ω² = df1(F − 1)/(F·df1 + df2 + 1)": propagate_rounding(lambda f: omega2_from_f(f, df1, df2), [f_rep]),
        }
        self.record_candidates(tid, e_rep, candidates, "η²")

    def record_candidates(self, tid: str, e_rep: ReportedNumber, candidates: dict, label: str, outcome_if_none: str = "inconsistent", none_note: str = "") -> list[str]:
        matched, listing = _es_match(e_rep, candidates)
        best = matched[0] if matched else min(candidates, key=lambda k: abs(candidates[k][0] - e_rep.value))
        self.es[tid] = dict(zip(("recomputed_es", "recomputed_es_lb", "recomputed_es_ub"), candidates[best]))
        self.es[tid]["es_definition"] = best if matched else "none"
        shown = e_rep.text or fmt.num(e_rep.value)
        if matched:
            text = f"Reported {label} = {shown} matches {' and '.join(matched)} (candidates: {listing})."
            self.checks[tid].append(Check("effect size", "consistent", text, {"candidates": candidates, "matched": matched}))
        else:
            text = f"Reported {label} = {shown} (rounding interval [{fmt.num(e_rep.lb, 4)}, {fmt.num(e_rep.ub, 4)}]) matches none of the candidates: {listing}; the closest is {best}.{none_note}"
            self.checks[tid].append(Check("effect size", outcome_if_none, text, {"candidates": candidates, "matched": []}))
        return matched

    def ci_check(self, row: pd.Series, df1: float, df2: float, df_note: str) -> None:
        try:
            self.ci_candidates(row, df1, df2, df_note)
        except ValueError as exc:  # e.g. an η² so close to 1 that no noncentral-F interval can be inverted
            self.es[row["test_id"]]["ci_convention"] = "none"
            self.checks[row["test_id"]].append(Check(
                "effect-size CI", "not_checkable",
                f"The reported CI [{row['es_ci_low']}, {row['es_ci_high']}] of η² = {row['effect_value']} cannot be "
                f"recomputed: {str(exc).rstrip('.')}."))

    def ci_candidates(self, row: pd.Series, df1: float, df2: float, df_note: str) -> None:
        tid = row["test_id"]
        e_rep = self.reported(row["effect_value"], "effect_value")
        lo_rep, hi_rep = self.reported(row["es_ci_low"], "es_ci_low"), self.reported(row["es_ci_high"], "es_ci_high")
        results, matched = {}, []
        for level, conv in _CI_CONVENTIONS:
            name = f"{level:.0%} two-sided, λ/(λ + {'N' if conv == 'N' else 'df2'})"
            lo = propagate_rounding(lambda e: eta2_ci(f_from_eta2(e, df1, df2), df1, df2, level, conv).ci_lb, [e_rep])
            hi = propagate_rounding(lambda e: eta2_ci(f_from_eta2(e, df1, df2), df1, df2, level, conv).ci_ub, [e_rep])
            results[name] = {"ci_lb": lo, "ci_ub": hi}
            _computable({f"the {name} interval": (*lo, *hi)})
            if _overlap(lo[1:], (lo_rep.lb, lo_rep.ub)) and _overlap(hi[1:], (hi_rep.lb, hi_rep.ub)):
                matched.append(name)
        listing = "; ".join(f"{k}: [{fmt.num(v['ci_lb'][0])}, {fmt.num(v['ci_ub'][0])}]" for k, v in results.items())
        ci_text = f"[{lo_rep.text or lo_rep.value}, {hi_rep.text or hi_rep.value}]"
        self.es[tid]["ci_convention"] = " and ".join(matched) if matched else "none"
        if matched:
            self.checks[tid].append(
                Check("effect-size CI", "consistent",
                      f"The reported CI {ci_text} of η² = {e_rep.text} with df ({df1:g}, {df2:g}){df_note} matches the noncentral-F interval "
                      f"{' and '.join(matched)} (N = df1 + df2 + 1; computed intervals: {listing}).",
                      {"conventions": results, "matched": matched})
            )
        else:
            self.checks[tid].append(
                Check("effect-size CI", "inconsistent",
                      f"The reported CI {ci_text} of η² = {e_rep.text} with df ({df1:g}, {df2:g}){df_note} matches none of the usual "
                      f"noncentral-F intervals ({listing}); it may come from another method.",
                      {"conventions": results, "matched": []})
            )

    # -- study-level derivations
    def contrast_rows(self) -> None:
        for _, row in self.tests.iterrows():
            study = self.studies.get(row["study_id"])
            stat = row["statistic"].lower()
            if study is None or stat not in ("f", "t") or not row["value"]:
                continue
            sides = study.contrast(row["comparison"])
            df_error = _f(row["df2"])
            if sides is None or df_error is None or stat == "f" and _f(row["df1"]) != 1:
                continue
            names = sides[0] + sides[1]
            means = study.means(row["measure"], names)
            sized = study.sizes(df_error)
            if means is None or sized is None:
                continue
            sizes, size_notes = sized
            tid = row["test_id"]
            n = [sizes[g] for g in names]
            k, total = len(sizes), sum(sizes.values())
            if stat == "f":
                coef = [1 / len(sides[0]) if g in sides[0] else -1 / len(sides[1]) for g in names]
                mse, sd = mse_from_contrast_f(row["value"] if self.rounding else float(row["value"]), [means[g] for g in names], n, coef, df_error, names)
                extra = tuple(size_notes)
                if df_error != total - k:
                    extra += (f"note: error df {df_error:g} differs from N − k = {total - k} of the {k} groups listed",)
                mse = DerivedValue(mse.quantity, mse.value, mse.lb, mse.ub, mse.unit, mse.derived_from, mse.assumptions + extra)
                sd = DerivedValue(sd.quantity, sd.value, sd.lb, sd.ub, sd.unit, sd.derived_from, sd.assumptions + extra)
                self.mse_by_row[tid] = mse
                self.add_derived(row["study_id"], [tid], mse)
                self.add_derived(row["study_id"], [tid], sd)
                self.checks[tid].append(
                    Check("derived", "info",
                          f"With the group means, the reported F implies MSE = {fmt.num(mse.value)} (range {fmt.num(mse.lb)}–{fmt.num(mse.ub)}), "
                          f"i.e. a pooled SD of {fmt.num(sd.value)}.", {"mse": mse.to_dict()})
                )
            elif len(sides[0]) == len(sides[1]) == 1:
                a, b = sides[0][0], sides[1][0]
                try:
                    sd = pooled_sd_from_t(row["value"] if self.rounding else float(row["value"]), means[a], means[b], sizes[a], sizes[b], (a, b))
                except ValueError as exc:
                    if "sign" in str(exc):
                        self.checks[tid].append(
                            Check("direction", "inconsistent",
                                  f"The sign of t = {row['value']} disagrees with the group means ({a} {means[a]} vs {b} {means[b]}).")
                        )
                    continue
                sd = DerivedValue(sd.quantity, sd.value, sd.lb, sd.ub, sd.unit, sd.derived_from, sd.assumptions + tuple(size_notes))
                self.sd_by_row[tid] = sd
                self.add_derived(row["study_id"], [tid], sd)
                self.checks[tid].append(
                    Check("derived", "info",
                          f"The sign of t agrees with the group means ({a} {means[a]} vs {b} {means[b]}); with them the reported t implies a "
                          f"pooled SD of {fmt.num(sd.value)} (range {fmt.num(sd.lb)}–{fmt.num(sd.ub)}).", {"pooled_sd": sd.to_dict()})
                )

    def shared_mse(self) -> None:
        by_key: dict[tuple, list[str]] = {}
        for _, row in self.tests.iterrows():
            if row["test_id"] in self.mse_by_row:
                by_key.setdefault((row["study_id"], row["measure"], row["df2"]), []).append(row["test_id"])
        for (study, _, df2), tids in by_key.items():
            for i, a in enumerate(tids):
                for b in tids[i + 1:]:
                    ma, mb = self.mse_by_row[a], self.mse_by_row[b]
                    ok = _overlap((ma.lb, ma.ub), (mb.lb, mb.ub))
                    ratio = ma.value / mb.value
                    text = (
                        f"Contrasts '{a}' and '{b}' are tested against one ANOVA error term (df {df2}) and must share one MSE: "
                        f"'{a}' implies {fmt.num(ma.value)} (range {fmt.num(ma.lb)}–{fmt.num(ma.ub)}), '{b}' implies {fmt.num(mb.value)} "
                        f"(range {fmt.num(mb.lb)}–{fmt.num(mb.ub)}), a ratio of {ratio:.4f}; the rounding ranges "
                        + ("overlap, so the two F values are mutually consistent." if ok else "do not overlap, so the two F values cannot both be right for these means and contrasts.")
                    )
                    detail = {"mse": {a: ma.to_dict(), b: mb.to_dict()}, "overlap": ok}
                    for tid in (a, b):
                        self.checks[tid].append(Check("shared MSE", "consistent" if ok else "inconsistent", text, detail))

    def restated_eta2(self, row: pd.Series, study: _Study) -> bool:
        """η² without a statistic, restating a contrast F of the same study: try the definitions."""
        sides = study.contrast(row["comparison"])
        if sides is None:
            return False
        key = (frozenset(sides[0]), frozenset(sides[1]))
        partners = [
            r for _, r in self.tests.iterrows()
            if r["study_id"] == row["study_id"] and r["statistic"].lower() == "f" and r["test_id"] != row["test_id"]
            and (s := study.contrast(r["comparison"])) is not None
            and {key, key[::-1]} & {(frozenset(s[0]), frozenset(s[1]))}
        ]
        if len(partners) != 1:
            return False
        partner = partners[0]
        means = study.means(partner["measure"])
        df1, df2 = float(partner["df1"]), float(partner["df2"])
        sized = study.sizes(df2)
        if means is None or sized is None or df1 != 1:
            return False
        sizes, _ = sized
        names = list(study.groups)
        n = np.array([sizes[g] for g in names], dtype=float)
        coef = np.array([1 / len(sides[0]) if g in sides[0] else -1 / len(sides[1]) if g in sides[1] else 0.0 for g in names])
        in_a, in_b = np.isin(names, sides[0]), np.isin(names, sides[1])
        k = len(names)

        def parts(f: float, *ms: float) -> dict[str, float]:
            m = np.array(ms)
            est, weight = float(coef @ m), float(np.sum(coef**2 / n))
            mse = est**2 / (f * weight)
            grand = float(n @ m / n.sum())
            ss_between = float(n @ (m - grand) ** 2)
            ss_total = ss_between + df2 * mse
            na, nb = n[in_a].sum(), n[in_b].sum()
            ma, mb = float(n[in_a] @ m[in_a] / na), float(n[in_b] @ m[in_b] / nb)
            return {
                "contrast": f / (f + df2),
                "contrast_total": est**2 / weight / ss_total,
                "merged": na * nb / (na + nb) * (ma - mb) ** 2 / ss_total,
                "omnibus": ss_between / ss_total,
            }

        f_in = self.reported(partner["value"], "value")
        m_in = [self.reported(means[g], "mean") for g in names]
        labels = {
            "contrast": f"partial η² of the contrast F({df1:g}, {df2:g}) = {partner['value']}",
            "contrast_total": f"η² of the contrast relative to the total SS of the {k}-group design",
            "merged": f"η² of a two-group comparison with {' + '.join(sides[0])} merged vs {' + '.join(sides[1])} (same total SS)",
            "omnibus": f"η² of the omnibus {k}-group ANOVA",
        }
        candidates = {labels[key_]: propagate_rounding(lambda *a, _k=key_: parts(*a)[_k], [f_in, *m_in]) for key_ in labels}
        e_rep = self.reported(row["effect_value"], "effect_value")
        derived_from = (
            f"F({df1:g}, {df2:g}) = {partner['value']} ('{partner['test_id']}')",
            *(f"mean of {g} (n = {sizes[g]}) = {means[g]}" for g in names),
        )
        assumptions = (
            f"the restated comparison is the contrast of '{partner['test_id']}' (means of {', '.join(sides[0])} vs {', '.join(sides[1])})",
            f"SS_within = {df2:g} × MSE, with the MSE implied by that F and the group means",
            "reported F and means rounded as written",
        )
        for name, (v, lo, hi) in candidates.items():
            self.add_derived(row["study_id"], [row["test_id"], partner["test_id"]],
                             DerivedValue(f"η² candidate: {name}", v, lo, hi, "proportion (0–1)", derived_from, assumptions))
        self.record_candidates(row["test_id"], e_rep, candidates, "η²",
                               none_note=f" The restatement cannot be reproduced from F({df1:g}, {df2:g}) = {partner['value']} and the group means.")
        return True

    def omnibus_eta2(self, row: pd.Series, study: _Study) -> None:
        tid = row["test_id"]
        sized = study.sizes()
        if sized is None:
            return
        sizes, _ = sized
        k, total = len(sizes), sum(sizes.values())
        df1, df2 = float(k - 1), float(total - k)
        df_note = f" (df from the {k} groups, N = {total}, in the group summaries)"
        stat = row["statistic"].lower()
        e_rep = self.reported(row["effect_value"], "effect_value")
        if stat == "chi2" and _f(row["df1"]) == k - 1:
            h_rep = self.reported(row["value"], "value")
            candidates = {
                "η²_H = (H − k + 1)/(n − k)": propagate_rounding(lambda h: eta2_kruskal(h, k, total), [h_rep]),
                "ε²_R = H/(n − 1)": propagate_rounding(lambda h: epsilon2_kruskal(h, total), [h_rep]),
            }
            f_implied = f_from_eta2(e_rep.value, df1, df2)
            p_implied = float(stats.f.sf(f_implied, df1, df2))
            self.record_candidates(
                tid, e_rep, candidates, "η²", outcome_if_none="not_checkable",
                none_note=(
                    f" So it is not a rank-based effect size of the Kruskal–Wallis H = {row['value']} and cannot be recomputed from it; "
                    f"read as the parametric one-way ANOVA η² it implies F({df1:g}, {df2:g}) = {f_implied:.2f} (p = {fmt.num(p_implied, 4)})."
                ),
            )
        if row["es_ci_low"] and row["es_ci_high"]:
            self.ci_check(row, df1, df2, df_note)
        self.missing_mean(row, study, sizes)

    def missing_mean(self, row: pd.Series, study: _Study, sizes: dict[str, int]) -> None:
        measure = row["measure"]
        if measure not in study.measures:
            return
        missing = [g for g, grp in study.groups.items() if measure not in grp.means]
        if len(missing) != 1:
            return
        sd_rows = [
            r["test_id"] for _, r in self.tests.iterrows()
            if r["study_id"] == row["study_id"] and r["test_id"] in self.sd_by_row and r["measure"] == measure
        ]
        if len(sd_rows) != 1:
            return
        sd = self.sd_by_row[sd_rows[0]]
        mse = DerivedValue("MSE", sd.value**2, sd.lb**2, sd.ub**2, "squared outcome units", sd.derived_from,
                           sd.assumptions + (f"the pooled SD of '{sd_rows[0]}' is the SD of every group",))
        known = [g for g in study.groups if g not in missing]
        names = known + missing
        solutions = implied_missing_mean(
            row["effect_value"] if self.rounding else float(row["effect_value"]),
            [study.groups[g].means[measure] for g in known], [sizes[g] for g in names], mse, names,
        )
        if not solutions:
            self.checks[row["test_id"]].append(
                Check("derived", "info", f"No mean of {missing[0]} reproduces η² = {row['effect_value']} with the assumed MSE.")
            )
            return
        extra = (f"η² = {row['effect_value']} read as the parametric one-way ANOVA η² (not a rank-based index of the reported χ²)",)
        for sol in solutions:
            sol = DerivedValue(sol.quantity, sol.value, sol.lb, sol.ub, sol.unit, sol.derived_from, sol.assumptions + extra)
            self.add_derived(row["study_id"], [row["test_id"], sd_rows[0]], sol)
        listing = " or ".join(f"{fmt.num(s.value)} (range {fmt.num(s.lb)}–{fmt.num(s.ub)})" for s in solutions)
        self.checks[row["test_id"]].append(
            Check("derived", "info",
                  f"The mean of {missing[0]} is not reported; η² = {row['effect_value']} with the other means and the pooled SD implied by "
                  f"'{sd_rows[0]}' (assumed common to all groups) gives {listing} — a quadratic, so {len(solutions)} solution"
                  f"{'s' if len(solutions) > 1 else ''}.",
                  {"solutions": [s.to_dict() for s in solutions]})
        )

    # -- run
    def run(self) -> AuditResult:
        for _, row in self.tests.iterrows():
            self.p_check(row)
        self.contrast_rows()
        self.shared_mse()
        for _, row in self.tests.iterrows():
            tid, es, stat = row["test_id"], row["effect_size"].lower(), row["statistic"].lower()
            study = self.studies.get(row["study_id"])
            if not row["effect_value"]:
                continue
            try:
                self.effect_size_checks(row, es, stat, study)
            except ValueError as exc:  # e.g. df < 1, or a value no formula can take: say so, never guess
                self.checks[tid].append(Check("effect size", "not_checkable",
                                              f"The reported {row['effect_size']} = {row['effect_value']} cannot be "
                                              f"recomputed: {str(exc).rstrip('.')}."))
        return AuditResult(self.table(), self.derived_table())

    def effect_size_checks(self, row: pd.Series, es: str, stat: str, study: _Study | None) -> None:
        """The effect-size checks of one row with a reported effect size (a ValueError: not computable)."""
        if es in ("cohens_d", "d") and stat == "t":
            self.d_check(row, study)
        elif es in ("eta_squared", "eta2", "partial_eta_squared") and stat == "f" and row["df1"] and row["df2"]:
            self.eta2_from_f_check(row)
            if row["es_ci_low"] and row["es_ci_high"]:
                self.ci_check(row, float(row["df1"]), float(row["df2"]), "")
        elif es in ("eta_squared", "eta2") and study is not None and study.omnibus(row["comparison"]):
            self.omnibus_eta2(row, study)
        elif es in ("eta_squared", "eta2") and not stat and study is not None and self.restated_eta2(row, study):
            pass
        else:
            self.checks[row["test_id"]].append(
                Check("effect size", "not_checkable",
                      f"The reported {row['effect_size']} = {row['effect_value']} cannot be recomputed from the reported numbers"
                      + ("" if study is not None else " (no group summaries for this study)") + ".")
            )

    def table(self) -> pd.DataFrame:
        records = []
        for _, row in self.tests.iterrows():
            tid = row["test_id"]
            checks = self.checks[tid]
            p_detail = next((c.detail for c in checks if c.name == "p" and "p" in c.detail), {})
            outcomes = [c.outcome for c in checks]
            if "decision_error" in outcomes:
                verdict = "decision_error"
            elif "inconsistent" in outcomes:
                verdict = "inconsistent"
            elif "consistent" in outcomes:
                verdict = "consistent"
            else:
                verdict = "not_checkable"
            order = {"decision_error": 0, "inconsistent": 1, "consistent": 2, "not_checkable": 3, "info": 4}
            explanation = " ".join(c.explanation for c in sorted(checks, key=lambda c: order[c.outcome]))
            es = self.es[tid]
            records.append({
                "study_id": row["study_id"],
                "test_id": tid,
                "statistic": row["statistic"],
                "value": row["value"],
                "df1": row["df1"],
                "df2": row["df2"],
                "p_reported": row["p_reported"],
                "recomputed_p": p_detail.get("p", np.nan),
                "recomputed_p_lb": p_detail.get("p_lb", np.nan),
                "recomputed_p_ub": p_detail.get("p_ub", np.nan),
                "effect_size": row["effect_size"],
                "effect_value": row["effect_value"],
                "recomputed_es": es.get("recomputed_es", np.nan),
                "recomputed_es_lb": es.get("recomputed_es_lb", np.nan),
                "recomputed_es_ub": es.get("recomputed_es_ub", np.nan),
                "es_definition": es.get("es_definition", ""),
                "ci_convention": es.get("ci_convention", ""),
                "verdict": verdict,
                "explanation": explanation,
                "checks": [c.to_dict() for c in checks],
            })
        return pd.DataFrame.from_records(records)

    def derived_table(self) -> pd.DataFrame:
        columns = ["study_id", "source_tests", "quantity", "value", "lb", "ub", "unit", "derived_from", "assumptions"]
        return pd.DataFrame.from_records(self.derived, columns=columns)


def audit(
    tests: pd.DataFrame,
    groups: pd.DataFrame | None = None,
    alpha: float = 0.05,
    rounding: bool = True,
) -> AuditResult:
    """Audit a table of reported tests for internal consistency.

    Parameters
    ----------
    tests : pandas.DataFrame
        Reported tests in the layout of :data:`TEST_COLUMNS` (values as written, e.g. from
        :func:`read_reported_tests`). A test's group means are those of its ``measure`` (a key of the
        group summaries); ``description`` is free text and never changes a result.
    groups : pandas.DataFrame, optional
        Group summaries (:data:`GROUP_COLUMNS`: n and mean per group and measure) enabling
        recomputation of d with the real group sizes, the derived MSE / pooled SD / missing
        mean, the shared-MSE and restated-η² cross-checks, and the df of omnibus η².
    alpha : float, default 0.05
        Significance threshold for decision errors.
    rounding : bool, default True
        Allow ± half a unit in the last reported digit of every reported number.

    Returns
    -------
    AuditResult
        ``tests``: one row per test with ``test_id, statistic, value, df1, df2, p_reported,
        recomputed_p, recomputed_p_lb, recomputed_p_ub, recomputed_es(_lb, _ub),
        es_definition, ci_convention, verdict, explanation, checks``; ``derived``: one row per
        derived value with ``derived_from`` and ``assumptions``.

    Raises
    ------
    AuditInputError
        If a table is malformed, or a test names a ``measure`` its study's group summaries do not have.
    ValueError
        If ``alpha`` is outside (0, 1).

    References
    ----------
    Nuijten, M. B., et al. (2016). *Behavior Research Methods*, 48(4), 1205–1226 (statcheck).
    Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test. *Social Psychological and
    Personality Science*, 8(4), 363–369 (checking reported summaries against each other).
    """
    alpha = args.between("alpha", "audit", alpha, 0.0, 1.0)
    tests = validate_reported_tests(tests)
    groups = None if groups is None else validate_group_summaries(groups)
    if groups is not None:
        check_measures(tests, groups)
    return _Auditor(tests, groups, float(alpha), bool(rounding)).run()
