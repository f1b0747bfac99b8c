"""InferenceData on disk: run-time stamps are dropped, so one seed gives one file byte for byte."""

import errno
import hashlib
import shutil
import time

import arviz as az
import numpy as np
import pytest

from dprep.data.idata import (RUNTIME_ATTRS, RUNTIME_STATS, SPACE_EXTRA, SPACE_FACTOR, load_idata, reproducible,
                              save_idata)


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


def test_a_full_disk_is_refused_before_writing(tmp_path, monkeypatch):
    path = tmp_path / "out" / "meta.nc"
    save_idata(_idata("2026-01-01T00:00:00", 3.2), path)
    before = path.read_bytes()
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda _: usage._replace(free=SPACE_EXTRA - 1))
    with pytest.raises(OSError) as info:
        save_idata(_idata("2026-01-02T00:00:00", 1.0), path)
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(path)
    assert "MiB needed" in info.value.strerror
    assert path.read_bytes() == before and [p.name for p in path.parent.iterdir()] == ["meta.nc"]


def test_free_space_just_enough_is_written(tmp_path, monkeypatch):
    idata = _idata("2026-01-01T00:00:00", 3.2)
    clean = reproducible(idata)
    need = int(sum(clean[g].nbytes for g in clean.groups()) * SPACE_FACTOR) + SPACE_EXTRA
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda _: usage._replace(free=need))
    save_idata(idata, tmp_path / "meta.nc")
    assert load_idata(tmp_path / "meta.nc").posterior["mu"].shape == (2, 5)
