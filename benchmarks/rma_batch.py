"""Throughput of rma_batch against a loop of rma, and the multiverse's wall time (prints; never asserts).

    python benchmarks/rma_batch.py [--tables 10000] [--k 20] [--loop 1000] [--multiverse]

Data: ``--tables`` random-effects tables of k studies (τ = 0.2, vᵢ ~ U(0.01, 0.1), seed 1), REML with
z tests. The loop of :func:`dprep.stats.meta.rma` runs on the first ``--loop`` tables and its rate is
extrapolated; both fit the same tables, and their results are compared. With ``--multiverse`` the
`multiverse` stage's computation (params.yaml, `data/processed` inputs) is timed on a LocalCluster.

metafor for comparison on the same machine: ``Rscript benchmarks/metafor_rma.R`` (the same kind of
tables, ``system.time(for (i in 1:1000) rma(y[i, ], v[i, ], method = "REML"))``).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from dprep.stats import meta


def tables(n: int, k: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    vi = rng.uniform(0.01, 0.1, (n, k))
    return rng.normal(0.3, np.sqrt(vi + 0.04)), vi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=10_000)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--loop", type=int, default=1_000)
    parser.add_argument("--multiverse", action="store_true")
    opts = parser.parse_args()
    yi, vi = tables(opts.tables, opts.k)

    meta.rma_batch(yi[:10], vi[:10], method="REML")  # warm-up: imports and first calls
    t_batch = float("inf")
    for _ in range(3):  # best of three (the machine is shared)
        start = time.perf_counter()
        batch = meta.rma_batch(yi, vi, method="REML")
        t_batch = min(t_batch, time.perf_counter() - start)
    start = time.perf_counter()
    loop = [meta.rma(yi[i], vi[i], method="REML").estimate for i in range(opts.loop)]
    t_loop = time.perf_counter() - start
    diff = np.max(np.abs(batch["estimate"].to_numpy()[: opts.loop] - loop) / np.abs(loop))
    rate_batch, rate_loop = opts.tables / t_batch, opts.loop / t_loop
    print(f"rma_batch: {opts.tables} tables of k = {opts.k} (REML) in {t_batch:.3f} s (best of 3): {rate_batch:,.0f} fits/s "
          f"({batch['converged'].mean():.1%} converged)")
    print(f"rma loop:  {opts.loop} tables in {t_loop:.3f} s: {rate_loop:,.0f} fits/s")
    print(f"speed-up: {rate_batch / rate_loop:,.0f}x; max relative difference of the estimates {diff:.1e}")
    if opts.multiverse:
        from pathlib import Path

        import yaml

        from dprep.data.studies import load_studies
        from dprep.studies import multiverse

        params = yaml.safe_load(Path("params.yaml").read_text())
        start = time.perf_counter()
        out = multiverse.run_multiverse(Path("data/processed/validated"), Path("data/processed/primary/derived.csv"),
                                        params, load_studies("data/studies.yaml"), progress=False)
        print(f"multiverse: {len(out.specifications)} specifications, {out.n_resamples} resamples each "
              f"question, in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
