"""A function mapped over items in chunks on a Dask client, with per-item seeds and a progress bar."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from dprep.core import args


def item_seeds(seed: int | None, n: int) -> list[np.random.SeedSequence | None]:
    """Independent seeds for items 0..n-1: ``SeedSequence(seed).spawn(n)`` (all None without a seed).

    Item i always gets the i-th child, whoever computes it, so results do not depend on the number of
    workers or on the chunking.
    """
    if seed is None:
        return [None] * n
    return list(np.random.SeedSequence(int(seed)).spawn(n))


def map_chunks(func: Callable[..., list], items: Sequence[Any], *, client: Any, chunk_size: int,
               seed: int | None = None, description: str = "tasks", progress: bool = True,
               **shared: Any) -> list:
    """``func`` over ``items`` in chunks, one Dask task per chunk; results in the order of ``items``.

    Parameters
    ----------
    func : callable
        ``func(chunk, seeds, **shared) -> list`` with one result per item of ``chunk`` (a list), in
        order; ``seeds`` holds the items' :class:`numpy.random.SeedSequence` (or None without ``seed``).
        It must be importable by the workers (a module-level function of the package).
    items : sequence
        The work, e.g. specification indices or resample numbers.
    client : distributed.Client
        From :func:`dprep.parallel.dask_client`.
    chunk_size : int
        Items per task (≥ 1): cheap items are batched, expensive ones (MCMC) take ``chunk_size=1``.
    seed : int, optional
        Root seed of the items' seeds (:func:`item_seeds`).
    description : str
        Label of the progress bar.
    progress : bool
        Show a progress bar of items done.
    **shared
        Arguments common to every task (small: settings, a table, specification arrays), sent with
        each task. They are not scattered: a scattered value lives in one worker's memory, and a
        task whose copy is released or lost is cancelled ("lost dependencies"), which happened on a
        loaded machine.

    Returns
    -------
    list
        ``len(items)`` results.

    Raises
    ------
    ArgumentError
        If ``chunk_size`` < 1 or ``func`` returns the wrong number of results for a chunk.
    Exception
        Whatever a task raised (re-raised here by Dask).
    """
    from distributed import as_completed
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    chunk_size = args.integer("chunk_size", "map_chunks", chunk_size, 1)
    items = list(items)
    seeds = item_seeds(seed, len(items))
    starts = range(0, len(items), chunk_size)
    futures = [client.submit(func, items[i:i + chunk_size], seeds[i:i + chunk_size], pure=False, **shared)
               for i in starts]
    sizes = {fut.key: len(items[i:i + chunk_size]) for fut, i in zip(futures, starts)}
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   disable=not progress)
    with bar:
        task = bar.add_task(description, total=len(items))
        for fut in as_completed(futures):
            bar.advance(task, sizes[fut.key])
    chunks = client.gather(futures)
    out: list = []
    for i, chunk in zip(starts, chunks):
        args.check(len(chunk) == len(items[i:i + chunk_size]), "func", "map_chunks",
                   "return one result per item of its chunk", f"{len(chunk)} results for {len(items[i:i + chunk_size])} items", raw=True)
        out.extend(chunk)
    return out
