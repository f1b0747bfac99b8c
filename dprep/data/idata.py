"""ArviZ InferenceData on disk: NetCDF (HDF5 engine), written atomically."""

from __future__ import annotations

from pathlib import Path

import arviz as az

from dprep.data.io import atomic_path


def save_idata(idata: az.InferenceData, path: str | Path) -> None:
    """Write ``idata`` to NetCDF (HDF5 engine) atomically: a failed write leaves ``path`` untouched.

    Parameters
    ----------
    idata : arviz.InferenceData
    path : path-like
        Destination, conventionally ``*.nc``; its folder is created if missing.
    """
    with atomic_path(path) as tmp:
        idata.to_netcdf(str(tmp), engine="h5netcdf")


def load_idata(path: str | Path) -> az.InferenceData:
    """Read an ``InferenceData`` written by :func:`save_idata`, fully into memory (no open file handle)."""
    with az.rc_context({"data.load": "eager"}):
        return az.from_netcdf(str(path), engine="h5netcdf")
