"""dprep.parallel: seeds by item index, chunked map on a LocalCluster, the scheduler setting."""

from __future__ import annotations

import numpy as np
import pytest

from dprep.parallel import ENV_SCHEDULER, dask_client, item_seeds, map_chunks, scheduler_address
from dprep.stats.simulation import run_conditions  # an importable task function for the workers


def test_item_seeds_are_spawned_by_index():
    a, b = item_seeds(5, 4), np.random.SeedSequence(5).spawn(4)
    assert [s.spawn_key for s in a] == [s.spawn_key for s in b]
    assert item_seeds(None, 2) == [None, None]


def test_scheduler_address(monkeypatch):
    monkeypatch.delenv(ENV_SCHEDULER, raising=False)
    assert scheduler_address(None) is None and scheduler_address("") is None
    assert scheduler_address("tcp://h:8786") == "tcp://h:8786"
    monkeypatch.setenv(ENV_SCHEDULER, "tcp://other:8786")
    assert scheduler_address("tcp://h:8786") == "tcp://other:8786"


@pytest.mark.slow
def test_chunking_does_not_change_results():
    import pandas as pd

    conditions = pd.DataFrame({"k": [5, 6, 7], "share_unblinded": 0.4, "effect": 0.2, "bias_unblinded": 0.3,
                               "tau": 0.1})
    settings = {"replications": 20, "prior": (0.2, 0.01), "n_range": (10, 20), "method": "DL", "test": "z",
                "level": 0.95, "alpha": 0.05}
    with dask_client(workers=1, announce=False) as client:
        runs = [map_chunks(run_conditions, range(3), client=client, chunk_size=c, seed=9, progress=False,
                           conditions=conditions, settings=settings) for c in (1, 2, 3)]
    for other in runs[1:]:
        for a, b in zip(runs[0], other):
            pd.testing.assert_frame_equal(a, b)
