"""Running many independent computations on Dask (``dask.distributed``), local by default.

* :func:`dask_client` — a client of the scheduler named in the configuration or in
  ``DPREP_DASK_SCHEDULER``, or else of a :class:`~distributed.LocalCluster` sized to the machine; it
  prints the dashboard address;
* :func:`map_chunks` — a function mapped over items in chunks (one Dask task per chunk), with a
  progress bar; each item gets its own seed from ``numpy.random.SeedSequence(seed).spawn(n)`` by its
  index, so the results do not depend on the number of workers or on which worker ran what.
"""

from dprep.parallel.cluster import ENV_SCHEDULER, dask_client, scheduler_address
from dprep.parallel.tasks import item_seeds, map_chunks

__all__ = ["ENV_SCHEDULER", "dask_client", "item_seeds", "map_chunks", "scheduler_address"]
