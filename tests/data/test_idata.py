"""InferenceData on disk: run-time stamps are dropped, so one seed gives one file byte for byte."""

import hashlib
import time

import arviz as az
import numpy as np

from dprep.data.idata import RUNTIME_ATTRS, RUNTIME_STATS, load_idata, reproducible, save_idata


def _idata(created_at: str, seconds: float, reverse: bool = False) -> az.InferenceData:
    rng = np.random.default_rng(1)
    stats = {name: rng.random((2, 5)) for name in RUNTIME_STATS}
    stats |= {"diverging": np.zeros((2, 5), bool), "energy": np.ones((2, 5)), "lp": -np.ones((2, 5))}
    stats = dict(sorted(stats.items(), reverse=reverse))  # PyMC's order differs between processes
    idata = az.from_dict(posterior={"mu": np.arange(10.0).reshape(2, 5), "tau": np.ones((2, 5))},
                         sample_stats=stats)
    for group in idata.groups():
        idata[group].attrs.update(created_at=created_at, sampling_time=seconds)
    return idata


def test_runtime_stamps_are_dropped_and_the_rest_kept():
    idata = _idata("2026-01-01T00:00:00", 3.2)
    clean = reproducible(idata)
    for group in clean.groups():
        assert not set(RUNTIME_ATTRS) & set(clean[group].attrs)
        assert "arviz_version" in clean[group].attrs
    assert not set(RUNTIME_STATS) & set(clean.sample_stats.data_vars)
    assert "diverging" in clean.sample_stats and np.array_equal(clean.posterior["mu"], idata.posterior["mu"])
    assert idata.posterior.attrs["created_at"] == "2026-01-01T00:00:00"  # the input is left as it was


def test_two_runs_write_the_same_bytes(tmp_path):
    save_idata(_idata("2026-01-01T00:00:00", 3.2), tmp_path / "one.nc")
    time.sleep(1.1)  # HDF5 object times, if any were written, would now differ
    save_idata(_idata("2026-01-02T09:30:00", 7.9, reverse=True), tmp_path / "two.nc")
    digest = [hashlib.md5((tmp_path / f"{n}.nc").read_bytes()).hexdigest() for n in ("one", "two")]
    assert digest[0] == digest[1]
    assert np.array_equal(load_idata(tmp_path / "one.nc").posterior["mu"], np.arange(10.0).reshape(2, 5))
