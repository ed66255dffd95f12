"""Verified, retried, atomic downloads over HTTP(S), and unpacking of zipped NetCDF deliveries.

A download lands under a temporary name and is renamed onto its target only after the byte
count and checksum are confirmed, so a file that exists is a file that was verified.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import logging
import os
import shutil
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import BinaryIO, TypeVar
from urllib.error import HTTPError, URLError
from urllib.parse import unquote, urlsplit, urlunsplit
from urllib.request import Request, urlopen

from smdown import __version__
from smdown.errors import InputError
from smdown.io import atomic_path, file_kind, sha256_of
from smdown.progress import Progress
from smdown.provenance.redaction import redact_url as redact

LOG = logging.getLogger(__name__)
CHUNK = 1 << 20
PROGRESS_EVERY_S = 10.0  # a progress line per 10 s of a download, and one at its end
USER_AGENT = f"smdown/{__version__}"
RETRYABLE_4XX = frozenset({408, 429})  # request timeout and rate limiting pass with time

T = TypeVar("T")


class DownloadError(RuntimeError):
    """A download that failed for good; names the (redacted) URL and the destination."""

    def __init__(self, url: str, dest: str | os.PathLike, problem: str):
        self.url = redact(url)
        self.dest = Path(dest)
        self.problem = redact(problem)
        super().__init__(f"cannot download {self.url} to {self.dest}: {self.problem}")


class _TransientError(Exception):
    """A failed attempt worth repeating: 5xx, short transfer or checksum mismatch."""


RETRY_ON: tuple[type[BaseException], ...] = (
    _TransientError,
    URLError,
    TimeoutError,
    ConnectionError,
    http.client.HTTPException,
)


def with_retries(
    fn: Callable[[], T],
    *,
    retries: int,
    backoff_s: float,
    retry_on: tuple[type[BaseException], ...],
    what: str,
    sleep: Callable[[float], object] = time.sleep,
    log: logging.Logger = LOG,
) -> T:
    """Call `fn` up to `retries + 1` times, sleeping `backoff_s * 2**attempt` after a failure.

    Only errors in `retry_on` are retried; the last one is re-raised once attempts run out.
    """
    if retries < 0:
        raise ValueError(f"retries must be >= 0, got {retries}")
    attempt = 0
    while True:
        try:
            return fn()
        except retry_on as exc:
            if attempt >= retries:
                raise
            delay = backoff_s * 2**attempt
            log.warning(
                "%s failed (%s); retry %d of %d in %.3g s",
                redact(what),
                redact(str(exc)),
                attempt + 1,
                retries,
                delay,
            )
            sleep(delay)
            attempt += 1


def fetch_url(
    url: str,
    dest: str | os.PathLike,
    *,
    sha256: str | None = None,
    retries: int = 3,
    backoff_s: float = 2.0,
    timeout_s: float = 60.0,
    sleep: Callable[[float], object] = time.sleep,
) -> Path:
    """Download `url` to `dest`, verified and atomically; a verified `dest` is not fetched again.

    Transient failures are retried with backoff; anything else, or exhaustion, is a DownloadError.
    """
    dest = Path(dest)
    expected = sha256.lower() if sha256 else None
    if dest.exists():
        if expected is None or sha256_of(dest) == expected:
            return dest
        LOG.warning("%s does not match its sha256; downloading it again", dest)
    request = _request(url)
    try:
        with_retries(
            lambda: _download_once(request, url, dest, expected, timeout_s),
            retries=retries,
            backoff_s=backoff_s,
            retry_on=RETRY_ON,
            what=f"download of {url}",
            sleep=sleep,
        )
    except RETRY_ON as exc:
        raise DownloadError(url, dest, f"{exc} (attempts made: {retries + 1})") from exc
    return dest


def _request(url: str) -> Request:
    """A GET request with our User-Agent; `user:password@` in the URL becomes Basic auth.

    urllib cannot use credentials in the URL and would echo them in its error messages.
    """
    parts = urlsplit(url)
    headers = {"User-Agent": USER_AGENT}
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    return Request(url, headers=headers)


def _download_once(
    request: Request, url: str, dest: Path, sha256: str | None, timeout_s: float
) -> None:
    """One attempt: stream the body into a temporary, verify it, rename it onto `dest`."""
    try:
        with urlopen(request, timeout=timeout_s) as response, atomic_path(dest) as tmp:
            announced = response.headers.get("Content-Length")
            progress = Progress(
                f"download {dest.name}:", int(announced or 0), "MB", scale=1e6, precision=1
            )
            received, digest = _stream(response, tmp, progress)
            if announced is not None and received != int(announced):
                raise _TransientError(f"short transfer: received {received} of {announced} bytes")
            if sha256 is not None and digest != sha256:
                raise _TransientError(f"sha256 mismatch: expected {sha256}, got {digest}")
    except HTTPError as exc:
        exc.close()
        problem = f"HTTP {exc.code} {exc.reason}"
        if exc.code >= 500 or exc.code in RETRYABLE_4XX:
            raise _TransientError(problem) from None
        raise DownloadError(url, dest, problem) from None


def _stream(source: BinaryIO, path: Path, progress: Progress) -> tuple[int, str]:
    """Copy `source` into `path` in chunks, reporting progress every PROGRESS_EVERY_S seconds
    and at the end; return the byte count and the hex sha256."""
    digest = hashlib.sha256()
    received, reported = 0, time.monotonic()
    with open(path, "wb") as out:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            out.write(chunk)
            digest.update(chunk)
            received += len(chunk)
            if time.monotonic() - reported >= PROGRESS_EVERY_S:
                progress.update(received)
                reported = time.monotonic()
    progress.update(received)
    return received, digest.hexdigest()


def extract_netcdf_members(archive: str | os.PathLike, folder: str | os.PathLike) -> list[Path]:
    """Unpack the `.nc` members of a zip into `folder` by base name; return their paths sorted.

    The CDS zips NetCDF with provenance files; those are skipped and directory parts ignored.
    """
    archive, folder = Path(archive), Path(folder)
    expected = "a zip holding NetCDF (.nc) files"
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [
                m for m in zf.infolist() if not m.is_dir() and m.filename.lower().endswith(".nc")
            ]
            if not members:
                names = ", ".join(zf.namelist()) or "nothing"
                raise InputError(archive, f"zip has no .nc member (holds {names})", expected)
            targets = _member_targets(archive, members, folder)
            for member, target in zip(members, targets, strict=True):
                _extract(zf, member, target)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(archive, f"corrupt zip ({exc})", expected) from exc
    return sorted(targets)


def _member_targets(archive: Path, members: list[zipfile.ZipInfo], folder: Path) -> list[Path]:
    """Map each member to `folder / base name`, so '../x.nc' cannot escape `folder`."""
    names = [PurePosixPath(m.filename.replace("\\", "/")).name for m in members]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise InputError(
            archive,
            f"several members share the base name {clashes}",
            "a zip whose .nc members have distinct names",
        )
    return [folder / name for name in names]


def _extract(zf: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path) -> None:
    """Stream one member into `target` atomically (a CRC failure leaves nothing behind)."""
    with zf.open(member) as src, atomic_path(target) as tmp, open(tmp, "wb") as out:
        shutil.copyfileobj(src, out, CHUNK)


def normalise_download(path: str | os.PathLike, folder: str | os.PathLike) -> list[Path]:
    """Turn a downloaded file into NetCDF paths: unpack a zip (then remove it), keep a NetCDF.

    Anything else, such as an HTML error page saved as `.nc`, is refused with an InputError.
    """
    path = Path(path)
    kind = file_kind(path)
    if kind == "netcdf":
        return [path]
    if kind == "zip":
        members = extract_netcdf_members(path, folder)
        if path.resolve() not in {m.resolve() for m in members}:
            path.unlink()
        return members
    raise InputError(path, "neither NetCDF nor zip", "a NetCDF file or a zip of NetCDF files")
