"""The Dask client: an existing scheduler when one is configured, otherwise a local cluster."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

#: Environment variable naming a running Dask scheduler (``tcp://host:8786``); it overrides params.
ENV_SCHEDULER = "DPREP_DASK_SCHEDULER"


def scheduler_address(configured: str | None = None) -> str | None:
    """The scheduler to use: ``$DPREP_DASK_SCHEDULER`` if set, else ``configured``, else None (local).

    Parameters
    ----------
    configured : str, optional
        Address from the configuration (``multiverse.scheduler`` in ``params.yaml``); empty or None
        means a local cluster.

    Returns
    -------
    str or None
    """
    address = os.environ.get(ENV_SCHEDULER) or configured
    return str(address) if address else None


def _machine_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def dask_client(scheduler: str | None = None, *, workers: int | None = None,
                announce: bool = True) -> Iterator["distributed.Client"]:  # noqa: F821
    """A ``distributed.Client``: of ``scheduler`` (or ``$DPREP_DASK_SCHEDULER``), or of a local cluster.

    The local cluster has ``workers`` single-threaded worker processes (default: one per core available
    to this process), listens on 127.0.0.1 only, and its dashboard takes a free port. Cluster and client
    are closed on exit.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler, e.g. ``"tcp://host:8786"``; the work sent there is unchanged.
    workers : int, optional
        Number of local worker processes (ignored with a scheduler).
    announce : bool
        Print where the work runs and the dashboard address.

    Yields
    ------
    distributed.Client

    Raises
    ------
    OSError
        If the scheduler cannot be reached (distributed's timeout).
    """
    from distributed import Client, LocalCluster

    address = scheduler_address(scheduler)
    if address:
        client, cluster = Client(address), None
        where = f"Dask scheduler {address}"
    else:
        n = workers or _machine_cores()
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0", silence_logs=40)
        client = Client(cluster)
        where = f"local Dask cluster ({n} worker process{'es' if n != 1 else ''})"
    try:
        if announce:
            print(f"{where}; dashboard: {client.dashboard_link}", flush=True)
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
