"""The simulation study of the blinding argument: conditions from params, the bias prior from the evidence table.

:func:`run_simulation` expands the declared conditions (a full factorial), resolves the bias
distribution the adjustment assumes (a row of ``blinding_bias_priors.csv``), and runs
:func:`dprep.stats.simulation.run_conditions` on Dask, one seed per condition
(``SeedSequence(seed).spawn(n)``), so 1 and N workers give identical results.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from dprep.parallel import dask_client, map_chunks
from dprep.stats import simulation, speccurve
from dprep.studies.multiverse import bias_priors


def adjustment_prior(validated: Path, source: str, missing_between: str = "largest") -> tuple[str, float, float]:
    """The bias prior of one study named by ``source`` ("source" or "source: outcome type"): (name, mean,
    variance), predictive as in :func:`dprep.studies.multiverse.bias_priors` (``missing_between`` as there).

    Raises
    ------
    ValueError
        If ``source`` matches no row, or more than one.
    """
    priors = bias_priors(validated / "blinding_bias_priors.csv", (0.0, 1.0), missing_between)
    hits = [name for name in priors if name == source or name.split(": ")[0] == source]
    if len(hits) != 1:
        raise ValueError(f"params simulation.prior = {source!r} must name exactly one row of "
                         f"blinding_bias_priors.csv; it matches {len(hits)} ({', '.join(hits) or 'none'}).")
    return hits[0], *priors[hits[0]]


def run_simulation(validated: Path, params: Mapping[str, Any], *, client: Any = None,
                   progress: bool = True) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Run every condition of ``params["simulation"]`` on Dask.

    Parameters
    ----------
    validated : Path
        The validated tables (``data/processed/validated``: the bias priors).
    params : mapping
        The whole ``params.yaml``: ``seed``, ``simulation`` (``conditions``, ``replications``,
        ``n_range``, ``method``, ``test``, ``level``, ``alpha``, ``prior``, ``chunk_size``),
        ``bayes.missing_between`` (the prior, :func:`adjustment_prior`) and ``multiverse.scheduler`` /
        ``multiverse.workers`` for the cluster.
    client : distributed.Client, optional
        Use this client instead of opening one.
    progress : bool
        Show a progress bar.

    Returns
    -------
    (pandas.DataFrame, dict)
        One row per condition and estimator (:func:`dprep.stats.simulation.summarise` columns plus the
        condition), and the settings used (with the prior's name, mean and variance).
    """
    p = params["simulation"]
    if client is None:
        cluster = params.get("multiverse", {})
        with dask_client(cluster.get("scheduler"), workers=cluster.get("workers")) as own:
            return run_simulation(validated, params, client=own, progress=progress)
    name, mean, var = adjustment_prior(validated, p["prior"], params["bayes"]["missing_between"])
    conditions = speccurve.expand({c: p["conditions"][c] for c in simulation.CONDITION_COLUMNS})
    settings = {"replications": int(p["replications"]), "prior": (mean, var), "n_range": tuple(p["n_range"]),
                "method": p["method"], "test": p["test"], "level": float(p["level"]), "alpha": float(p["alpha"])}
    parts = map_chunks(simulation.run_conditions, range(len(conditions)), client=client,
                       chunk_size=int(p["chunk_size"]), seed=int(params["seed"]),
                       description="simulation: conditions", progress=progress,
                       conditions=conditions, settings=settings)
    table = pd.concat(parts, ignore_index=True).astype({"k": int})
    table = table[[*simulation.CONDITION_COLUMNS, *table.columns.drop(list(simulation.CONDITION_COLUMNS))]]
    return table, {**settings, "prior": {"name": name, "mean": mean, "variance": var},
                   "n_conditions": len(conditions)}
