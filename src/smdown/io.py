"""Atomic output writing, robust opening of NetCDF input and file hashes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import xarray as xr

from smdown.errors import InputError

NETCDF_MAGIC = (b"CDF\x01", b"CDF\x02", b"\x89HDF\r\n\x1a\n")
ZIP_MAGIC = b"PK\x03\x04"
HASH_BLOCK = 1 << 20  # bytes read at a time when hashing


def _umask() -> int:
    """The process's file-creation mask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary sibling of `path`; rename it onto `path` only if the block succeeds.

    A crash or an exception therefore never leaves a half-written output behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would make every output private
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_netcdf(ds: xr.Dataset, path: str | os.PathLike, encoding: dict | None = None) -> None:
    """Write `ds` to `path` atomically as NetCDF4."""
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp, format="NETCDF4", encoding=encoding)


def compressed_encoding(ds: xr.Dataset, level: int = 4) -> dict:
    """zlib encoding for every data variable with two or more dimensions."""
    return {
        name: {"zlib": True, "complevel": level}
        for name, var in ds.data_vars.items()
        if var.ndim >= 2
    }


def file_kind(path: str | os.PathLike) -> str:
    """Tell a file's format by its magic bytes: 'netcdf', 'zip' or 'unknown'."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if any(head.startswith(m) for m in NETCDF_MAGIC):
        return "netcdf"
    return "unknown"


def open_netcdf(path: str | os.PathLike, what: str = "a NetCDF file", **kwargs) -> xr.Dataset:
    """Open a NetCDF file fully into memory, turning any low-level failure into an InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found", what)
    if path.stat().st_size == 0 or file_kind(path) != "netcdf":
        raise InputError(path, "not a NetCDF file (bad magic bytes or empty)", what)
    try:
        with xr.open_dataset(path, decode_times=False, **kwargs) as ds:
            return ds.load()
    except Exception as exc:  # netCDF4/HDF5 raise many types for truncated files
        raise InputError(path, f"cannot be read ({type(exc).__name__}: {exc})", what) from exc


def sha256_of(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks so large files need little memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(HASH_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()
