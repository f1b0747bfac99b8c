"""ArviZ InferenceData on disk: NetCDF (HDF5 engine), written atomically and reproducibly.

One seed gives one file, byte for byte: :func:`save_idata` drops what ArviZ and PyMC stamp with the
time of the run (the ``created_at`` and ``sampling_time`` attributes of every group, and NUTS's
per-draw wall-clock sample statistics), writes variables, coordinates and attributes in sorted
order (PyMC collects the sampler statistics in a set, whose order changes from one process to
the next), and keeps everything that follows from the seed, the data and the installed versions.
HDF5 through h5netcdf needs nothing else: it writes no object modification times (two writes of
the same data give identical bytes, which ``tests/data/test_idata.py`` checks), so the NetCDF-4
format is kept rather than NetCDF-3.

A full disk is refused before writing: h5py may crash the process (segmentation fault) when a
write runs out of space, so :func:`save_idata` first checks the free space against the data's size.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import arviz as az
import xarray as xr

from dprep.data.io import atomic_path

RUNTIME_ATTRS = ("created_at", "sampling_time")
"""Group attributes that record when and how long a run took."""
RUNTIME_STATS = ("perf_counter_diff", "perf_counter_start", "process_time_diff")
"""``sample_stats`` variables of PyMC's NUTS that are wall-clock and CPU times per draw."""
SPACE_FACTOR, SPACE_EXTRA = 1.1, 1 << 20
"""Free space required to write: the data's size times SPACE_FACTOR plus SPACE_EXTRA bytes (HDF5's own
overhead, measured, is about 34 kB per file plus less than 1 % of the data)."""


def reproducible(idata: az.InferenceData) -> az.InferenceData:
    """A copy of ``idata`` without run-time stamps (:data:`RUNTIME_ATTRS`, :data:`RUNTIME_STATS`),
    each group's variables, coordinates and attributes in sorted order.

    Parameters
    ----------
    idata : arviz.InferenceData

    Returns
    -------
    arviz.InferenceData
        The same groups and draws; ``idata`` itself is left unchanged.
    """
    groups = {}
    for name in idata.groups():
        group = idata[name].drop_vars(RUNTIME_STATS, errors="ignore")
        groups[name] = xr.Dataset({k: group[k] for k in sorted(group.data_vars)},
                                  coords={k: group.coords[k] for k in sorted(group.coords)},
                                  attrs={k: v for k, v in sorted(group.attrs.items()) if k not in RUNTIME_ATTRS})
    return az.InferenceData(**groups)


def save_idata(idata: az.InferenceData, path: str | Path) -> None:
    """Write ``idata`` without its run-time stamps (:func:`reproducible`) to NetCDF (HDF5 engine),
    atomically: a failed write leaves ``path`` untouched.

    Parameters
    ----------
    idata : arviz.InferenceData
    path : path-like
        Destination, conventionally ``*.nc``; its folder is created if missing.

    Raises
    ------
    OSError
        ``ENOSPC``, naming ``path`` and the space needed, if its disk has less free space than the
        data need (:data:`SPACE_FACTOR`, :data:`SPACE_EXTRA`); nothing is written then.
    """
    clean = reproducible(idata)
    with atomic_path(path) as tmp:
        need = int(sum(clean[group].nbytes for group in clean.groups()) * SPACE_FACTOR) + SPACE_EXTRA
        free = shutil.disk_usage(tmp.parent).free
        if free < need:
            raise OSError(errno.ENOSPC, f"not enough free space to write it: {need / 2**20:.1f} MiB needed, "
                                        f"{free / 2**20:.1f} MiB free", str(path))
        clean.to_netcdf(str(tmp), engine="h5netcdf")


def load_idata(path: str | Path) -> az.InferenceData:
    """Read an ``InferenceData`` written by :func:`save_idata`, fully into memory (no open file handle)."""
    with az.rc_context({"data.load": "eager"}):
        return az.from_netcdf(str(path), engine="h5netcdf")
