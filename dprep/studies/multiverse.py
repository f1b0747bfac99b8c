"""The multiverse of the deliberate-practice evidence: every defensible analysis, and the joint test.

Two questions, each its own specification curve (their estimates are on different scales):

* ``music`` — the practice–performance correlation in the 16 music samples of Macnamara et al. (2014)
  (Fisher z): inclusion subset × τ² estimator × z or Knapp–Hartung × publication-bias adjustment;
* ``replication`` — the difference in accumulated practice between the more and the less accomplished
  violinists, pooled over the 1993 original (unblinded interviewers) and the 2019 double-blind
  replication (Cohen's d): contrast × d convention × root of the replication's missing mean ×
  blinding-bias prior (through :func:`dprep.stats.bias.bias_adjusted_meta`) × τ² estimator × test.

The choices and their options come from ``params.yaml`` (``multiverse:``); the study facts (which tests,
which group sizes, which derived values) come from the study file and are read by :func:`read_inputs` alone. The computation is
study-free (:mod:`dprep.stats.speccurve`) and runs on Dask (:mod:`dprep.parallel`): specifications in
chunks pooled by :func:`dprep.stats.meta.rma_batch`, and the resamples under H0 in chunks with one seed
per resample.

Flags: ``derived`` marks a specification that uses a derived value (the replication's reconstructed
less-accomplished mean); ``synthetic`` one built from reconstructed individual data (the diaries) — no
current choice does, so it is False throughout and kept for the choices to come.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from dprep.data.priors import read_bias_priors
from dprep.data.studies import StudyFile
from dprep.data.tables import read_group_summaries, read_reported_tests, read_table
from dprep.parallel import dask_client, map_chunks
from dprep.stats import speccurve
from dprep.stats.bias import bias_adjusted_meta, predictive_priors
from dprep.stats.effects import cohens_d_from_t, cohens_d_from_t_df
from dprep.stats.meta import escalc_zcor
from dprep.stats.replication import d_standard_error
from dprep.stats.speccurve import NOT_APPLICABLE, MetaSpecs
from dprep.studies.replication import direction, effective_sizes, group_sizes

#: The d conventions for a t (or √F of a 1-df contrast): the exact two-sample one and the shortcut.
D_CONVENTIONS = {"t*sqrt(1/n1+1/n2)": lambda t, n1, n2, df: cohens_d_from_t(t, n1, n2),
                 "2t/sqrt(df)": lambda t, n1, n2, df: cohens_d_from_t_df(t, df)}
NO_BIAS, LITERATURE, WIDE = "none", "literature", "wide"
CHOICES = {"music": ("subset", "method", "test", "pub_bias"),
           "replication": ("contrast", "d_convention", "missing_root", "bias_prior", "method", "test")}
SCALES = {"music": "Fisher z", "replication": "Cohen's d"}
MUSIC_TABLE = "music_correlations_macnamara2014"
"""The validated table of the music question (a resource of ``data/raw/datapackage.json``)."""


@dataclass(frozen=True)
class Contrast:
    """One original/replication pair of a two-group contrast, as test statistics.

    ``original`` and ``replication`` hold ``t`` (signed; √F for a 1-df F), ``n1``, ``n2``, ``df``; a
    derived replication holds instead ``roots`` (candidate means of the missing group by name),
    ``mean_top`` and ``pooled_sd`` (hours), from which t = (mean_top − root)/(sd·√(1/n1 + 1/n2)).
    """

    name: str
    original: dict
    replication: dict
    derived: bool


@dataclass(frozen=True)
class MultiverseInputs:
    """Everything study-specific the multiverse needs (from :func:`read_inputs`)."""

    music: pd.DataFrame
    contrasts: dict[str, Contrast]
    priors: dict[str, tuple[float, float]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    """A title per question: the music table's title in the data package with its k; the paired studies'
    titles from the study file."""


def bias_priors(path: Path, wide: tuple[float, float], missing: str = "largest") -> dict[str, tuple[float, float]]:
    """Blinding-bias priors of one study by name, as (mean, variance) on the SMD scale: none, each
    literature row, wide.

    Literature rows are named "source: outcome type", translated by
    :func:`dprep.data.priors.read_bias_priors` and made predictive for one new study by
    :func:`dprep.stats.bias.predictive_priors` (variance se² + φ² + κ²; ``missing`` says what a source
    without φ and κ assumes, as ``params.yaml`` ``bayes.missing_between``), as in the ``bayes`` stage;
    ``wide`` is (mean, SD).
    """
    out = {NO_BIAS: (0.0, 0.0)}
    out.update({f"{p.source}: {p.outcome_type}": (p.bias_smd, p.bias_var_smd)
                for p in predictive_priors(read_bias_priors(path), missing=missing)})
    out[WIDE] = (float(wide[0]), float(wide[1]) ** 2)
    return out


def read_inputs(validated: Path, derived_path: Path, studies: StudyFile, wide_prior: tuple[float, float] = (0.0, 1.0),
                missing_between: str = "largest") -> MultiverseInputs:
    """THE study-specific read of the multiverse: the effect table, the contrasts and the bias priors.

    The contrasts are the original / replication pairs of the study file; each side is the t (√F of a
    1-df contrast, signed by the reported means) of its reported test with the contrast's effective
    group sizes, or — for a replication side without a reported test — every root of the missing group
    mean that the ``primary`` stage derived (``primary/derived.csv``), with the pooled SD it used.

    Parameters
    ----------
    validated : Path
        The validated tables (``data/processed/validated``).
    derived_path : Path
        The ``primary`` stage's derived values (``data/processed/primary/derived.csv``).
    studies : StudyFile
        The study file (``dprep.data.studies.load_studies``).
    wide_prior : (float, float)
        Mean and SD of the "wide" blinding-bias prior (SMD).
    missing_between : {"largest", "none"}
        What a literature prior without φ and κ assumes (:func:`bias_priors`).

    Returns
    -------
    MultiverseInputs

    Raises
    ------
    FileNotFoundError
        If an upstream stage's output is missing (the message names the stage).
    """
    if not derived_path.is_file():
        raise FileNotFoundError(f"{derived_path} does not exist. Run the 'primary' stage first (dvc repro primary).")
    music = read_table(validated, MUSIC_TABLE)
    yi, vi = escalc_zcor(music["r"], music["n"])
    music = music.assign(yi=yi, vi=vi)
    tests = read_reported_tests(validated / "reported_tests.csv").set_index("test_id")
    groups = read_group_summaries(validated / "group_summaries.csv")
    derived = pd.read_csv(derived_path)
    contrasts = {}
    for pair in studies.replications:
        sides = []
        for side in (pair.original, pair.replication):
            study = studies[side.study]
            weights = study.contrast(pair.contrast)
            n1, n2 = effective_sizes(weights, group_sizes(study, groups))
            if side.test is not None:
                test = tests.loc[side.test]
                value = float(test["value"])
                t = float(np.sqrt(value)) * direction(study, weights, groups)[0] if test["statistic"] == "F" else value
                sides.append({"t": t, "n1": n1, "n2": n2, "df": int(float(test["df2"]))})
                continue
            rows = groups[groups["study_id"] == study.id].set_index("group")
            means = pd.to_numeric(rows["mean"], errors="coerce")
            missing = [g for g in weights if pd.isna(means.get(g))]
            if len(missing) != 1:
                break  # a derived side needs exactly one unreported mean
            roots = derived.loc[(derived["study_id"] == study.id) & (derived["quantity"] == f"mean of {missing[0]}"),
                                "value"].sort_values().to_numpy()
            sd = derived.loc[(derived["study_id"] == study.id) & (derived["quantity"] == "pooled SD"), "value"]
            if roots.size == 0 or sd.empty:
                break
            top = sum(w * means[g] for g, w in weights.items() if w > 0)
            sides.append({"roots": {"lower": float(roots[0]), "upper": float(roots[-1])}, "mean_top": float(top),
                          "pooled_sd": float(sd.iloc[0]), "n1": n1, "n2": n2,
                          "df": int(sum(group_sizes(study, groups).values()) - len(study.groups))})
        if len(sides) == 2:
            contrasts[pair.label] = Contrast(pair.label, sides[0], sides[1], derived="roots" in sides[1])
    package = json.loads((validated / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = [r for r in package["resources"] if r["name"] == MUSIC_TABLE]
    paired = dict.fromkeys(studies[side.study].title for pair in studies.replications
                           for side in (pair.original, pair.replication))
    return MultiverseInputs(music=music, contrasts=contrasts,
                            priors=bias_priors(validated / "blinding_bias_priors.csv", wide_prior, missing_between),
                            titles={"music": f"{resource['title']}, k = {len(music)}",
                                    "replication": " + ".join(paired)})


def contrast_d(side: dict, convention: str, root: str | None = None) -> tuple[float, float]:
    """Cohen's d of one side of a contrast under a d convention, and its sampling variance.

    A derived side takes the missing mean ``root``; its t is (mean_top − root)/(sd·√(1/n1 + 1/n2)).
    The variance is the large-sample one of :func:`dprep.stats.replication.d_standard_error`.
    """
    n1, n2, df = side["n1"], side["n2"], side["df"]
    if "roots" in side:
        t = (side["mean_top"] - side["roots"][root]) / side["pooled_sd"] / np.sqrt(1 / n1 + 1 / n2)
    else:
        t = side["t"]
    d = D_CONVENTIONS[convention](t, n1, n2, df)
    return d, d_standard_error(d, n1, n2) ** 2


def _expand(choices: Mapping[str, Any], names: tuple[str, ...]) -> pd.DataFrame:
    missing = [n for n in names if n not in choices]
    if missing:
        raise KeyError(f"params multiverse: the choices {missing} are missing.")
    return speccurve.expand({n: list(choices[n]) for n in names})


def music_specs(music: pd.DataFrame, choices: Mapping[str, Any], level: float) -> tuple[pd.DataFrame, MetaSpecs]:
    """The music question's specifications: a table of choices and their data (Fisher z).

    ``choices["subset"]`` maps a subset name to a pandas query on the effect table ("" = every row).
    """
    subsets = dict(choices["subset"])
    table = _expand({**choices, "subset": list(subsets)}, CHOICES["music"])
    rows = {name: music.query(query) if query else music for name, query in subsets.items()}
    for name, part in rows.items():
        if len(part) < 3:
            raise ValueError(f"params multiverse.music.subset {name!r} keeps {len(part)} studies; at least 3 are needed.")
    data = [(rows[s]["yi"].to_numpy(), rows[s]["vi"].to_numpy(), rows[s].index.to_numpy()) for s in table["subset"]]
    table = table.assign(k=[len(y) for y, _, _ in data], derived=False, synthetic=False)
    return table, MetaSpecs.from_lists(data, table["method"], table["test"], table["pub_bias"], level)


def replication_specs(inputs: MultiverseInputs, choices: Mapping[str, Any], level: float) -> tuple[pd.DataFrame, MetaSpecs]:
    """The replication question's specifications: choices and the bias-adjusted pair of each (Cohen's d).

    Each specification pools the original (unblinded, adjusted) and the replication (double-blind) with
    :func:`dprep.stats.bias.bias_adjusted_meta`'s adjusted estimates and variances; ``bias_prior`` option
    "literature" stands for every row of the evidence table. Without publication-bias adjustment (two
    studies).
    """
    priors: list[str] = []
    for option in choices["bias_prior"]:
        priors += [n for n in inputs.priors if n not in (NO_BIAS, WIDE)] if option == LITERATURE else [option]
    unknown = [c for c in choices["contrast"] if c not in inputs.contrasts]
    if unknown:
        raise ValueError(f"params multiverse.replication.contrast: {unknown} not available "
                         f"(available: {sorted(inputs.contrasts)}).")
    table = _expand({**choices, "bias_prior": priors}, CHOICES["replication"])
    derived = table["contrast"].map(lambda c: inputs.contrasts[c].derived)
    table.loc[~derived, "missing_root"] = NOT_APPLICABLE
    table = table.drop_duplicates(ignore_index=True)
    data, cache = [], {}
    for row in table.itertuples():
        key = (row.contrast, row.d_convention, row.missing_root, row.bias_prior)
        if key not in cache:
            contrast = inputs.contrasts[row.contrast]
            root = None if row.missing_root == NOT_APPLICABLE else row.missing_root
            (d_o, v_o), (d_r, v_r) = (contrast_d(contrast.original, row.d_convention),
                                      contrast_d(contrast.replication, row.d_convention, root))
            mean, var = inputs.priors[row.bias_prior]
            adj = bias_adjusted_meta([d_o, d_r], [v_o, v_r], [True, False], bias_mean=mean, bias_var=var)
            cache[key] = (np.array(adj.yi_adjusted), np.array(adj.vi_adjusted), np.array([0, 1]))
        data.append(cache[key])
    table = table.assign(pub_bias="none", k=2,
                         derived=table["contrast"].map(lambda c: inputs.contrasts[c].derived), synthetic=False)
    return table, MetaSpecs.from_lists(data, table["method"], table["test"], table["pub_bias"], level)


def fit_chunk(rows: list[int], seeds: list, specs: MetaSpecs) -> list[dict[str, float]]:
    """Dask task: pool the specifications ``rows`` (batched where possible); one dict per row."""
    fit = speccurve.fit_specs(specs.take(rows))
    return [{c: v[i].item() for c, v in fit.items()} for i in range(len(rows))]


def null_chunk(draws: list[int], seeds: list, specs: MetaSpecs, tau2: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Dask task: every specification on one data set under H0 per seed; (estimates, p-values) per draw."""
    fit = speccurve.fit_specs(specs, speccurve.null_draws(specs, tau2, seeds))
    return [(fit["estimate"][j], fit["pval"][j]) for j in range(len(draws))]


@dataclass(frozen=True)
class MultiverseResult:
    """Outputs of :func:`run_multiverse`."""

    specifications: pd.DataFrame
    tests: dict[str, speccurve.SpecCurveTest]
    choices: pd.DataFrame
    n_resamples: int
    null: pd.DataFrame
    titles: dict[str, str] = field(default_factory=dict)


ORDER = ("question", "spec", "primary", "contrast", "d_convention", "missing_root", "subset", "bias_prior",
         "pub_bias", "method", "test", "k", "scale", "estimate", "ci_lb", "ci_ub", "pval", "tau2", "converged",
         "derived", "synthetic")


def run_multiverse(validated: Path, derived: Path, params: Mapping[str, Any], studies: StudyFile, *, client: Any = None,
                   progress: bool = True) -> MultiverseResult:
    """Compute every specification of both questions and their joint tests, on Dask.

    Parameters
    ----------
    validated, derived : Path
        The validated tables and the ``primary`` stage's ``derived.csv`` (see :func:`read_inputs`).
    studies : StudyFile
        The study file (the original / replication pairs).
    params : mapping
        The whole ``params.yaml``; uses ``seed``, ``multiverse`` (``scheduler``, ``workers``,
        ``chunk_size``, ``resamples``, ``resample_chunk``, ``alpha``, ``level``, ``wide_prior``, and the
        choices per question) and ``bayes.missing_between`` (the literature bias priors, :func:`bias_priors`).
    client : distributed.Client, optional
        Use this client; by default one from :func:`dprep.parallel.dask_client` (local unless configured).
    progress : bool
        Show progress bars.

    Returns
    -------
    MultiverseResult
        ``specifications``: one row per specification (question, choices, k, scale, estimate, ci_lb,
        ci_ub, pval, tau2, converged, derived, synthetic, primary = every choice at its first option);
        ``tests``: the joint test per question; ``choices``: :func:`dprep.stats.speccurve.choice_summary`
        per question; ``null``: the median and share of significant specifications of every resample.
    """
    p = params["multiverse"]
    level, alpha, seed = float(p["level"]), float(p["alpha"]), int(params["seed"])
    inputs = read_inputs(validated, derived, studies, tuple(p["wide_prior"]), params["bayes"]["missing_between"])
    questions = {"music": music_specs(inputs.music, p["music"], level),
                 "replication": replication_specs(inputs, p["replication"], level)}
    if client is None:
        with dask_client(p.get("scheduler"), workers=p.get("workers")) as own:
            return run_multiverse(validated, derived, params, studies, client=own, progress=progress)
    tables, tests, summaries, nulls = [], {}, [], []
    for q_index, (question, (table, specs)) in enumerate(questions.items()):
        fits = pd.DataFrame(map_chunks(fit_chunk, range(specs.n), client=client, chunk_size=int(p["chunk_size"]),
                                       description=f"multiverse: {question} specifications", progress=progress,
                                       specs=specs))
        table = pd.concat([table, fits], axis=1).assign(question=question, spec=np.arange(specs.n),
                                                        scale=SCALES[question],
                                                        primary=np.arange(specs.n) == 0)  # all first options
        draws = map_chunks(null_chunk, range(int(p["resamples"])), client=client,
                           chunk_size=int(p["resample_chunk"]),
                           seed=seed + q_index, description=f"multiverse: {question} under H0",
                           progress=progress, specs=specs, tau2=table["tau2"].to_numpy())
        test = speccurve.inferential_test(table["estimate"], table["pval"], np.stack([d[0] for d in draws]),
                                          np.stack([d[1] for d in draws]), alpha=alpha)
        tests[question] = test
        summaries.append(speccurve.choice_summary(table, CHOICES[question], alpha=alpha).assign(question=question))
        nulls.append(pd.DataFrame({"question": question, "resample": np.arange(test.n_resamples),
                                   "median": test.null_median, "share_significant": test.null_share}))
        tables.append(table)
    specifications = pd.concat(tables, ignore_index=True)
    every = sorted({c for names in CHOICES.values() for c in names})
    specifications[every] = specifications.reindex(columns=every).fillna(NOT_APPLICABLE)
    return MultiverseResult(specifications=specifications[list(ORDER)], tests=tests,
                            choices=pd.concat(summaries, ignore_index=True), n_resamples=int(p["resamples"]),
                            null=pd.concat(nulls, ignore_index=True), titles=inputs.titles)
