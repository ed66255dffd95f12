"""VGG16 weights through the real torch.hub download path, served from 127.0.0.1."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading

import pytest

from smdown.errors import InputError
from smdown.nn.vgg import REQUIRED_KEYS
from smdown.sources.weights import fetch_vgg16, take_local_vgg16
from smdown.synthetic.vgg import random_vgg16_state

torch = pytest.importorskip("torch")


def _random_vgg16(path, complete=True):
    """Random VGG16 feature weights (or only the first two layers), as tests may not download."""
    state = random_vgg16_state(0)
    torch.save({k: v for k, v in state.items() if complete or k in REQUIRED_KEYS[:4]}, path)
    return path


@pytest.fixture
def served(tmp_path, monkeypatch):
    folder = tmp_path / "www"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_hash_checked_download(served, tmp_path):
    folder, base = served
    raw = _random_vgg16(tmp_path / "w.pth")
    prefix = hashlib.sha256(raw.read_bytes()).hexdigest()[:8]
    (folder / f"vgg16-{prefix}.pth").write_bytes(raw.read_bytes())
    out = fetch_vgg16(tmp_path / "out" / "vgg16.pth", url=f"{base}/vgg16-{prefix}.pth")
    assert out.read_bytes() == raw.read_bytes()
    assert [p.name for p in out.parent.iterdir()] == ["vgg16.pth"]


def test_hash_mismatch_leaves_nothing(served, tmp_path):
    folder, base = served
    raw = _random_vgg16(tmp_path / "w.pth")
    (folder / "vgg16-397923af.pth").write_bytes(raw.read_bytes())  # not the real file
    with pytest.raises(RuntimeError, match="(?i)hash"):
        fetch_vgg16(tmp_path / "out" / "vgg16.pth", url=f"{base}/vgg16-397923af.pth")
    assert list((tmp_path / "out").iterdir()) == []


def test_local_file_is_checked(tmp_path):
    good = take_local_vgg16(_random_vgg16(tmp_path / "a.pth"), tmp_path / "w" / "vgg16.pth")
    assert good.is_file()
    with pytest.raises(InputError, match="VGG16 keys missing"):
        take_local_vgg16(_random_vgg16(tmp_path / "b.pth", complete=False), tmp_path / "c.pth")
    with pytest.raises(InputError, match="not found"):
        take_local_vgg16(tmp_path / "none.pth", tmp_path / "d.pth")
