"""Downloads against a scripted local HTTP server: verification, retries, atomicity, unpacking."""

from __future__ import annotations

import base64
import hashlib
import logging
import socket
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from smdown import __version__
from smdown.errors import InputError
from smdown.io import sha256_of
from smdown.sources.download import (
    DownloadError,
    extract_netcdf_members,
    fetch_url,
    normalise_download,
    redact,
    with_retries,
)

BODY = b"basin mask bytes " * 1000
BODY_SHA = hashlib.sha256(BODY).hexdigest()


@dataclass
class Reply:
    """One scripted response; `length` overrides the announced Content-Length."""

    status: int = 200
    body: bytes = BODY
    length: int | None = None


class Script:
    """Per-path replies (the last one repeats) and a log of the requests received."""

    def __init__(self, base: str):
        self.base = base
        self.replies: dict[str, list[Reply]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []

    def serve(self, path: str, *replies: Reply) -> str:
        """Script `path` and return its URL."""
        self.replies[path] = list(replies)
        return self.base + path

    def count(self, path: str) -> int:
        """How many requests asked for `path`."""
        return sum(1 for p, _ in self.requests if p == path)

    def next_reply(self, path: str) -> Reply:
        """Pop the reply for `path` (the last one repeats); unscripted paths get 404."""
        queue = self.replies.get(path, [Reply(404, b"not found")])
        return queue.pop(0) if len(queue) > 1 else queue[0]


@pytest.fixture
def server(monkeypatch) -> Iterator[Script]:
    """A ThreadingHTTPServer on 127.0.0.1 whose replies each test scripts."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    script: Script

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = self.path.split("?")[0]
            script.requests.append((path, dict(self.headers)))
            reply = script.next_reply(path)
            self.send_response(reply.status)
            length = len(reply.body) if reply.length is None else reply.length
            self.send_header("Content-Length", str(length))
            self.end_headers()
            self.wfile.write(reply.body)
            self.close_connection = True

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    script = Script(f"http://127.0.0.1:{httpd.server_address[1]}")
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    yield script
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


class Sleeps(list):
    """A fake `sleep` that records the delays instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fetch(url: str, dest: Path, **kwargs) -> Path:
    """fetch_url with a fake sleep and a short timeout, for tests."""
    kwargs.setdefault("sleep", Sleeps())
    return fetch_url(url, dest, timeout_s=5.0, **kwargs)


def test_good_file_is_fetched_once(server, tmp_path):
    url = server.serve("/mask.bin", Reply())
    dest = tmp_path / "masks" / "mask.bin"
    assert fetch(url, dest, sha256=BODY_SHA) == dest
    assert dest.read_bytes() == BODY and sha256_of(dest) == BODY_SHA
    assert fetch(url, dest, sha256=BODY_SHA.upper()) == dest
    assert fetch(url, dest) == dest
    assert server.count("/mask.bin") == 1
    assert server.requests[0][1]["User-Agent"] == f"smdown/{__version__}"
    assert list(dest.parent.iterdir()) == [dest]


def test_truncated_transfer_is_retried_then_fails(server, tmp_path):
    url = server.serve("/short.bin", Reply(body=b"abc", length=10))
    dest = tmp_path / "short.bin"
    sleeps = Sleeps()
    with pytest.raises(DownloadError, match="received 3 of 10 bytes") as err:
        fetch(url, dest, retries=2, backoff_s=0.5, sleep=sleeps)
    assert server.count("/short.bin") == 3 and sleeps == [0.5, 1.0]
    assert "attempts made: 3" in str(err.value) and str(dest) in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_wrong_checksum_fails_and_leaves_nothing(server, tmp_path):
    url = server.serve("/mask.bin", Reply())
    dest = tmp_path / "mask.bin"
    wanted = "0" * 64
    with pytest.raises(DownloadError) as err:
        fetch(url, dest, sha256=wanted, retries=1)
    assert f"expected {wanted}" in str(err.value) and f"got {BODY_SHA}" in str(err.value)
    assert server.count("/mask.bin") == 2
    assert list(tmp_path.iterdir()) == []


def test_two_503s_then_success(server, tmp_path):
    url = server.serve("/busy.bin", Reply(503, b"busy"), Reply(503, b"busy"), Reply())
    dest = tmp_path / "busy.bin"
    sleeps = Sleeps()
    fetch(url, dest, sha256=BODY_SHA, retries=3, backoff_s=0.25, sleep=sleeps)
    assert server.count("/busy.bin") == 3 and sleeps == [0.25, 0.5]
    assert dest.read_bytes() == BODY and list(tmp_path.iterdir()) == [dest]


def test_404_fails_at_once(server, tmp_path):
    url = server.serve("/missing.bin", Reply(404, b"nope"))
    sleeps = Sleeps()
    with pytest.raises(DownloadError, match="HTTP 404") as err:
        fetch(url, tmp_path / "missing.bin", retries=3, sleep=sleeps)
    assert server.count("/missing.bin") == 1 and sleeps == []
    assert url in str(err.value) and list(tmp_path.iterdir()) == []


def test_refused_connection_is_retried_then_fails(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleeps = Sleeps()
    with pytest.raises(DownloadError, match="attempts made: 2"):
        fetch(f"http://127.0.0.1:{port}/x.bin", tmp_path / "x.bin", retries=1, sleep=sleeps)
    assert sleeps == [2.0] and list(tmp_path.iterdir()) == []


def test_existing_file_with_wrong_checksum_is_replaced(server, tmp_path):
    url = server.serve("/mask.bin", Reply())
    dest = tmp_path / "mask.bin"
    dest.write_bytes(b"stale partial copy")
    fetch(url, dest, sha256=BODY_SHA)
    assert dest.read_bytes() == BODY and server.count("/mask.bin") == 1
    assert list(tmp_path.iterdir()) == [dest]


def test_credentials_become_basic_auth_and_stay_out_of_errors_and_logs(server, tmp_path, caplog):
    server.serve("/private.bin", Reply(503, b"busy"), Reply(403, b"denied"))
    url = server.base.replace("://", "://alice:s3cret@") + "/private.bin?token=tok123&v=2"
    with caplog.at_level(logging.WARNING), pytest.raises(DownloadError, match="HTTP 403") as err:
        fetch(url, tmp_path / "private.bin", retries=3)
    sent = server.requests[0][1]["Authorization"]
    assert sent == "Basic " + base64.b64encode(b"alice:s3cret").decode()
    assert server.count("/private.bin") == 2 and len(caplog.records) == 1
    for text in (str(err.value), caplog.text):
        assert "s3cret" not in text and "tok123" not in text and "alice" not in text
    assert "token=***&v=2" in str(err.value)


def test_redact():
    assert redact("https://user:p%40ss@host.org/a.zip") == "https://host.org/a.zip"
    assert (
        redact("https://h/x?KEY=abc&format=nc&access_token=t1;Signature=zz#f")
        == "https://h/x?KEY=***&format=nc&access_token=***;Signature=***#f"
    )
    assert redact("GET https://u:p@h/y?apikey=9 failed") == "GET https://h/y?apikey=*** failed"
    assert redact("https://h/plain?year=2000") == "https://h/plain?year=2000"


def test_with_retries_propagates_a_non_retryable_error_at_once():
    calls, sleeps = [], Sleeps()

    def fn():
        calls.append(1)
        raise ValueError("bad request body")

    with pytest.raises(ValueError, match="bad request body"):
        with_retries(
            fn, retries=5, backoff_s=1.0, retry_on=(ConnectionError,), what="x", sleep=sleeps
        )
    assert calls == [1] and sleeps == []


def test_with_retries_reraises_the_last_error_and_returns_on_success():
    errors = iter([ConnectionError("first"), ConnectionError("second")])
    sleeps = Sleeps()

    def failing():
        raise next(errors)

    with pytest.raises(ConnectionError, match="second"):
        with_retries(
            failing, retries=1, backoff_s=3.0, retry_on=(ConnectionError,), what="x", sleep=sleeps
        )
    assert sleeps == [3.0]
    outcomes = iter([TimeoutError("slow"), 42])

    def flaky():
        value = next(outcomes)
        if isinstance(value, Exception):
            raise value
        return value

    assert (
        with_retries(
            flaky, retries=2, backoff_s=0.0, retry_on=(TimeoutError,), what="x", sleep=sleeps
        )
        == 42
    )


def small_netcdf(path: Path) -> Path:
    """A tiny NetCDF file written by xarray."""
    xr.Dataset(
        {"swvl1": (("lat", "lon"), np.full((2, 3), 0.25))},
        coords={"lat": [31.0, 31.1], "lon": [89.0, 89.1, 89.2]},
    ).to_netcdf(path)
    return path


def cds_zip(path: Path, members: dict[str, Path | bytes]) -> Path:
    """A zip like the CDS delivers: NetCDF members beside provenance files."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            if isinstance(content, Path):
                zf.write(content, name)
            else:
                zf.writestr(name, content)
    return path


def test_zip_delivered_for_netcdf_request_is_unpacked(tmp_path):
    nc = small_netcdf(tmp_path / "source.nc")
    download = cds_zip(
        tmp_path / "era5_2000.nc", {"data_stream-moda.nc": nc, "request.json": b'{"year": 2000}'}
    )
    out = tmp_path / "unpacked"
    paths = normalise_download(download, out)
    assert paths == [out / "data_stream-moda.nc"] and not download.exists()
    assert sorted(p.name for p in out.iterdir()) == ["data_stream-moda.nc"]
    with xr.open_dataset(paths[0]) as ds:
        np.testing.assert_allclose(ds["swvl1"].values, 0.25)


def test_netcdf_download_is_kept_as_is(tmp_path):
    nc = small_netcdf(tmp_path / "era5.nc")
    assert normalise_download(nc, tmp_path / "unused") == [nc]
    assert nc.exists() and not (tmp_path / "unused").exists()


def test_zip_whose_member_has_its_own_name_keeps_the_member(tmp_path):
    nc = small_netcdf(tmp_path / "source.nc")
    (tmp_path / "out").mkdir()
    download = cds_zip(tmp_path / "out" / "era5.nc", {"era5.nc": nc})
    assert normalise_download(download, download.parent) == [download]
    with xr.open_dataset(download) as ds:
        assert ds["swvl1"].shape == (2, 3)


def test_html_page_saved_as_nc_is_refused(tmp_path):
    page = tmp_path / "era5.nc"
    page.write_text("<!DOCTYPE html><html><body>503 Service Unavailable</body></html>")
    with pytest.raises(InputError, match="neither NetCDF nor zip") as err:
        normalise_download(page, tmp_path)
    assert err.value.source == str(page) and page.exists()


def test_member_paths_cannot_escape_the_folder(tmp_path):
    nc = small_netcdf(tmp_path / "source.nc")
    archive = cds_zip(tmp_path / "a.zip", {"../evil.nc": nc, "sub/dir/b.nc": nc})
    out = tmp_path / "out"
    assert extract_netcdf_members(archive, out) == [out / "b.nc", out / "evil.nc"]
    assert not (tmp_path / "evil.nc").exists()
    assert sorted(p.name for p in out.iterdir()) == ["b.nc", "evil.nc"]


def test_zip_without_netcdf_or_corrupt_is_refused(tmp_path):
    archive = cds_zip(tmp_path / "a.zip", {"request.json": b"{}", "plot.png": b"png"})
    with pytest.raises(InputError, match="no .nc member") as err:
        extract_netcdf_members(archive, tmp_path / "out")
    assert err.value.source == str(archive)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(InputError, match="corrupt zip") as err:
        extract_netcdf_members(broken, tmp_path / "out")
    assert err.value.source == str(broken) and not (tmp_path / "out").exists()
