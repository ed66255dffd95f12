"""Provenance: sidecar naming, hashing, redaction, git state, job records and their lineage
through a small chain of fake workflow jobs, PNG text chunks, the lineage tree, its
verification against the recorded checksums and the CLI."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from smdown import provenance
from smdown.errors import InputError
from smdown.jobs import SOURCE_RULES, workflow_facts
from smdown.provenance import (
    DISTRIBUTIONS,
    SCHEMA,
    git_state,
    job_record,
    lineage_tree,
    read_sidecar,
    redact,
    sha256_path,
    sidecar_path,
    software_versions,
    verify_lineage,
)
from smdown.provenance import lineage as provenance_lineage
from smdown.provenance import sidecar as provenance_sidecar
from smdown.provenance.__main__ import main
from smdown.sources.manifest import SUFFIX as MANIFEST_SUFFIX
from smdown.sources.manifest import write_manifest

ENV_SECRET = "env-secret-4711-abcdef"
RC_KEY = "cds-rc-secret-key-0815"
CONFIG_SECRET = "config-secret-1234xyz"
URL_PASSWORD = "hunter2hunter2"
RECORD_KEYS = [
    "schema",
    "rule",
    "wildcards",
    "params",
    "inputs",
    "outputs",
    "log",
    "created",
    "workflow",
    "config_hash",
    "software",
    "lineage",
    "sources",
]


class Named(list):
    """A minimal Snakemake Namedlist: iterating gives every entry, `.items()` the named ones."""

    def __init__(self, *unnamed, **named):
        super().__init__(unnamed)
        self._named = dict(named)
        for value in named.values():
            self.extend(value if isinstance(value, list) else [value])

    def items(self):
        return self._named.items()


class FakeSnakemake:
    """The attributes of Snakemake's `snakemake` object that `record_job` reads."""

    def __init__(
        self,
        rule,
        workdir,
        *,
        input=(),
        output=(),
        params=None,
        wildcards=None,
        log=(),
        config=None,
    ):
        self.rule = rule
        self.input = input if isinstance(input, Named) else Named(*input)
        self.output = output if isinstance(output, Named) else Named(*output)
        self.params = Named(**(params or {}))
        self.wildcards = Named(**(wildcards or {}))
        self.log = Named(*log)
        self.config = config or {"run": "demo"}
        self.scriptdir = str(workdir / "workflow" / "scripts")


def sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write(path, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def fake_env(tmp_path, monkeypatch):
    """A fake home (a symlink, so it has a resolved spelling too), secrets in the environment
    and in a CDS API config, and a working directory outside the home."""
    real_home = tmp_path / "real" / "alice"
    real_home.mkdir(parents=True)
    home = tmp_path / "home" / "alice"
    home.parent.mkdir()
    home.symlink_to(real_home)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: home))
    monkeypatch.setenv("CDSAPI_KEY", ENV_SECRET)
    rc = write(home / "cds.rc", f"url: https://cds.example.org/api\nkey: 12345:{RC_KEY}\n")
    monkeypatch.setenv("CDSAPI_RC", str(rc))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    work = tmp_path / "work"
    (work / "workflow" / "scripts").mkdir(parents=True)
    monkeypatch.chdir(work)
    return home, real_home, work


def record_job(smk):
    """What a workflow script records: the job, with the facts `smdown.jobs` tells."""
    return provenance.record_job(smk, workflow_facts(smk))


def facts_at(repo):
    """The workflow's facts for a checkout at `repo`."""
    return provenance.WorkflowFacts(repo, SOURCE_RULES, MANIFEST_SUFFIX)


@dataclass
class Chain:
    """Raw file -> A; manifest + A + a file in the home -> B; A + B -> C (a PNG): a diamond."""

    work: Path
    home: Path
    raw: Path
    manifest: Path
    mask: Path
    a: Path
    b: Path
    png: Path
    job_c: FakeSnakemake
    pixels_before: np.ndarray


def run_c(chain_job: FakeSnakemake, png: Path) -> np.ndarray:
    """Job C: draw a matplotlib figure, then record; returns the pixels before recording."""
    fig = Figure(figsize=(2, 1.5), dpi=40)
    fig.subplots().plot([0, 1, 2], [1, 0, 2])
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png)
    with Image.open(png) as image:
        before = np.asarray(image).copy()
    record_job(chain_job)
    return before


@pytest.fixture
def chain(fake_env) -> Chain:
    home, _real_home, work = fake_env
    raw = write("resources/raw/stations.csv", "station,lat,lon\nMaqu,33.9,102.1\n")
    era5 = write("resources/downloads/era5/era5_2000.nc", "not really netcdf")
    manifest = write_manifest(
        "resources/downloads/era5.manifest.json",
        [era5],
        {
            "provider": "cds",
            "dataset": "reanalysis-era5-land",
            "request": {"variable": "volumetric_soil_water_layer_1", "year": ["2000"]},
            "url": f"https://alice:{URL_PASSWORD}@cds.example.org/api",
        },
    )
    mask = write(home / "data" / "mask.txt", "1 0 1\n")

    a = write("results/a/stations.nc", raw.read_text().upper())
    record_job(
        FakeSnakemake(
            "prepare_stations",
            work,
            input=Named(stations=str(raw)),
            output=[str(a)],
            params={"min_years": 3},
            log=["logs/a.log"],
        )
    )

    b = write("results/b/era5_layer1.nc", "era5 at stations")
    record_job(
        FakeSnakemake(
            "prepare_era5land",
            work,
            input=Named(str(mask), manifest=str(manifest), stations=str(a)),
            output=[str(b)],
            wildcards={"layer": "1"},
            params={
                "url": f"https://bob:{URL_PASSWORD}@data.example.org/x?token=abcdef123",
                "cache": str(home / "cache"),
                "note": f"uses {ENV_SECRET}",
            },
            config={"run": "demo", "cds": {"api_key": CONFIG_SECRET}},
        )
    )

    png = Path("figs/fig08_layer1.png")
    job_c = FakeSnakemake(
        "figure_layer",
        work,
        input=Named(str(work / a), era5=str(b)),
        output=[str(png)],
        wildcards={"layer": "1"},
        params={"title": "Fig. 8"},
        log=["logs/fig08_layer1.log"],
    )
    before = run_c(job_c, png)
    return Chain(work, home, raw, manifest, mask, a, b, png, job_c, before)


def test_sidecar_of_file_and_directory():
    assert sidecar_path("figs/fig08_layer1.png") == Path("figs/fig08_layer1.png.prov.json")
    assert sidecar_path("resources/demo/ismn") == Path("resources/demo/ismn.prov.json")
    assert sidecar_path("resources/demo/ismn/") == Path("resources/demo/ismn.prov.json")
    assert sidecar_path(Path("/abs/x.nc")) == Path("/abs/x.nc.prov.json")


def test_directory_hash_is_stable_and_follows_content(tmp_path):
    folder = tmp_path / "ismn"
    write(folder / "a.txt", "alpha")
    write(folder / "sub" / "b.txt", "beta")
    lines = sorted(
        [f"a.txt\0{sha(folder / 'a.txt')}\n", f"sub/b.txt\0{sha(folder / 'sub' / 'b.txt')}\n"]
    )
    expected = hashlib.sha256("".join(lines).encode()).hexdigest()
    assert sha256_path(folder) == sha256_path(folder) == expected
    write(folder / "a.txt.prov.json", "{}")  # provenance written inside does not count
    write(folder / ".snakemake_timestamp", "")  # nor Snakemake's marker, written after the job
    assert sha256_path(folder) == expected
    write(folder / "sub" / "b.txt", "beta2")
    changed = sha256_path(folder)
    assert changed != expected
    (folder / "sub" / "b.txt").rename(folder / "sub" / "c.txt")
    assert sha256_path(folder) != changed
    assert sha256_path(folder / "a.txt") == sha(folder / "a.txt")
    with pytest.raises(FileNotFoundError, match="missing"):
        sha256_path(tmp_path / "missing")


def test_redact_home_secrets_and_urls(fake_env):
    home, real_home, _work = fake_env
    obj = {
        # a path (not a name) with "key" in it: its value is kept
        str(home / "key_dir"): [f"{home}/data/x.nc", str(real_home / "y.nc"), home / "p.nc"],
        "api_key": "abc",
        "Token": 12,
        "cdsapiKey": "abc",
        "PASSWORD": "x",
        "secret": ["a"],
        "keys": "kept",
        "monkey": "kept",
        "sort_keys": True,
        "none_key": None,
        "note": f"env {ENV_SECRET}, rc {RC_KEY}, again 12345:{RC_KEY}",
        "url": f"see https://u:{URL_PASSWORD}@host.org/p?key=zz&x=1",
        "neighbour": f"{home}2/x and /mnt{home}",
        "tuple": (1, 2.5, True, None),
        "other": object,
    }
    out = redact(obj)
    assert json.loads(json.dumps(out)) == out
    assert out["~/key_dir"] == ["~/data/x.nc", "~/y.nc", "~/p.nc"]
    for key in ("api_key", "Token", "cdsapiKey", "PASSWORD", "secret"):
        assert out[key] == "<redacted>"
    assert (out["keys"], out["monkey"], out["sort_keys"]) == ("kept", "kept", True)
    assert out["none_key"] is None
    assert out["note"] == "env <redacted>, rc <redacted>, again <redacted>"
    assert URL_PASSWORD not in out["url"] and "https://host.org/p?key=***&x=1" in out["url"]
    assert out["neighbour"] == f"{home}2/x and /mnt{home}"  # not the home, left alone
    assert out["tuple"] == [1, 2.5, True, None]
    assert out["other"] == str(object)
    assert redact("a s3cr3t b", secrets=["s3cr3t", ""]) == "a <redacted> b"
    assert redact(f"{ENV_SECRET}", secrets=[]) == ENV_SECRET  # explicit secrets replace defaults


def test_software_versions(monkeypatch):
    real = metadata.version

    def version(dist):
        if dist == "numba":
            raise metadata.PackageNotFoundError(dist)
        return real(dist)

    monkeypatch.setattr(metadata, "version", version)
    versions = software_versions()
    assert versions["numpy"] == np.__version__
    assert versions["smdown"] == real("smdown")
    assert "numba" not in versions
    assert set(versions) - {"python", "platform"} <= set(DISTRIBUTIONS)
    assert versions["python"] == sys.version.split()[0]
    host = os.uname().nodename
    assert len(host) < 4 or host not in versions["platform"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_state(tmp_path, monkeypatch):
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    repo = tmp_path / "repo"
    repo.mkdir()
    assert git_state(repo) == {"commit": "unknown", "dirty": None, "describe": "unknown"}

    def git(*args):
        subprocess.run(
            ["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@x.org", *args],
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    write(repo / "Snakefile", "rule all:\n")
    git("add", "Snakefile")
    git("commit", "-q", "-m", "first")
    head = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    state = git_state(repo)
    assert state == {"commit": head, "dirty": False, "describe": head[: len(state["describe"])]}
    write(repo / "results.txt", "untracked")
    assert git_state(repo)["dirty"] is False
    write(repo / "Snakefile", "rule all:\n    input: []\n")
    state = git_state(repo)
    assert state["commit"] == head and state["dirty"] is True
    assert state["describe"].endswith("-dirty")


def test_git_state_without_git(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert git_state(tmp_path) == {"commit": "unknown", "dirty": None, "describe": "unknown"}


def test_sidecars_of_the_chain(chain):
    sidecar = read_sidecar(chain.b)
    assert list(sidecar) == ["schema", "file", "sha256", *RECORD_KEYS[1:]]
    assert sidecar["schema"] == SCHEMA
    assert sidecar["file"] == "results/b/era5_layer1.nc" and sidecar["sha256"] == sha(chain.b)
    assert sidecar["outputs"] == [
        {"path": "results/b/era5_layer1.nc", "sha256": sha(chain.b), "kind": "file"}
    ]
    assert [(e["name"], e["path"], e["sha256"], e["kind"]) for e in sidecar["inputs"]] == [
        (None, "~/data/mask.txt", sha(chain.mask), "file"),
        ("manifest", "resources/downloads/era5.manifest.json", sha(chain.manifest), "file"),
        ("stations", "results/a/stations.nc", sha(chain.a), "file"),
    ]
    assert sidecar["rule"] == "prepare_era5land" and sidecar["wildcards"] == {"layer": "1"}
    assert sidecar["params"]["cache"] == "~/cache"
    assert sidecar["workflow"] == {"commit": "unknown", "dirty": None, "describe": "unknown"}
    assert sidecar["config_hash"] == provenance.config_hash(
        {"run": "demo", "cds": {"api_key": CONFIG_SECRET}}
    )
    assert sidecar["software"]["smdown"] == metadata.version("smdown")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", sidecar["created"])
    assert read_sidecar(chain.a)["log"] == ["logs/a.log"]
    assert read_sidecar(sidecar_path(chain.a)) == read_sidecar(chain.a)


def test_lineage_reaches_the_raw_sources(chain):
    record = read_sidecar(chain.png)
    # an absolute input inside the working directory is recorded relative to it
    assert [e["path"] for e in record["inputs"]] == [
        "results/a/stations.nc",
        "results/b/era5_layer1.nc",
    ]
    assert record["inputs"][0]["sha256"] == sha(chain.a)
    lineage = record["lineage"]
    assert set(lineage) == {
        "results/a/stations.nc",
        "results/b/era5_layer1.nc",
        "resources/raw/stations.csv",
        "resources/downloads/era5.manifest.json",
        "~/data/mask.txt",
    }
    a = lineage["results/a/stations.nc"]
    assert a["rule"] == "prepare_stations" and a["inputs"] == ["resources/raw/stations.csv"]
    assert a["sha256"] == sha(chain.a) and a["params"] == {"min_years": 3}
    assert a["workflow"] == "unknown" and "stale" not in a and "source" not in a
    assert lineage["results/b/era5_layer1.nc"]["inputs"] == [
        "~/data/mask.txt",
        "resources/downloads/era5.manifest.json",
        "results/a/stations.nc",
    ]
    assert lineage["resources/raw/stations.csv"] == {"source": "file", "sha256": sha(chain.raw)}
    man = lineage["resources/downloads/era5.manifest.json"]
    assert man["source"] == "manifest" and man["sha256"] == sha(chain.manifest)
    assert man["origin"]["dataset"] == "reanalysis-era5-land"
    assert man["origin"]["url"] == "https://cds.example.org/api"
    assert man["files"] == [
        {
            "name": "era5/era5_2000.nc",
            "size": 17,
            "sha256": sha("resources/downloads/era5/era5_2000.nc"),
        }
    ]
    assert record["sources"] == [
        "resources/downloads/era5.manifest.json",
        "resources/raw/stations.csv",
        "~/data/mask.txt",
    ]


def test_no_home_or_secret_in_any_record(chain):
    sidecars = sorted(chain.work.rglob("*.prov.json"))
    assert len(sidecars) == 3
    with Image.open(chain.png) as image:
        texts = [json.dumps(image.text)]
    for text in [p.read_text() for p in sidecars] + texts:
        for leak in (
            str(chain.home),
            str(chain.home.resolve()),
            ENV_SECRET,
            RC_KEY,
            CONFIG_SECRET,
            URL_PASSWORD,
            "abcdef123",
        ):
            assert leak not in text


def test_png_text_chunks_and_pixels(chain):
    with Image.open(chain.png) as image:
        pixels = np.asarray(image)
        text = dict(image.text)
    np.testing.assert_array_equal(pixels, chain.pixels_before)
    assert text["Software"].startswith("Matplotlib")  # matplotlib's own chunk is kept
    sidecar = read_sidecar(chain.png)
    assert text["smdown:rule"] == "figure_layer"
    assert json.loads(text["smdown:wildcards"]) == {"layer": "1"}
    assert text["smdown:workflow_commit"] == "unknown"
    assert text["smdown:workflow_dirty"] == "null"
    assert text["smdown:config_hash"] == sidecar["config_hash"]
    assert text["smdown:created"] == sidecar["created"]
    assert text["smdown:provenance"] == "fig08_layer1.png.prov.json"
    assert json.loads(text["smdown:inputs"]) == [
        {"path": "results/a/stations.nc", "sha256": sha(chain.a)},
        {"path": "results/b/era5_layer1.nc", "sha256": sha(chain.b)},
    ]
    assert sidecar["sha256"] == sha(chain.png)  # hashed after the text went in


def test_stale_input_is_marked(chain):
    write(chain.a, "edited by hand after its job ran")
    run_c(chain.job_c, chain.png)
    lineage = read_sidecar(chain.png)["lineage"]
    assert lineage["results/a/stations.nc"]["stale"] is True
    assert lineage["results/a/stations.nc"]["sha256"] != sha(chain.a)
    assert "stale" not in lineage["results/b/era5_layer1.nc"]
    assert "results/a/stations.nc  [prepare_stations]" in lineage_tree(chain.png)
    stale_lines = [line for line in lineage_tree(chain.png).splitlines() if "STALE" in line]
    assert len(stale_lines) == 1 and "results/a/stations.nc" in stale_lines[0]


def test_lineage_tree_of_a_diamond(chain):
    tree = lineage_tree(chain.png)
    lines = tree.splitlines()
    assert lines[0] == (
        f"figs/fig08_layer1.png  [figure_layer layer=1]  sha256:{sha(chain.png)[:12]}"
    )
    assert lines[1].startswith("├── results/a/stations.nc  [prepare_stations]  sha256:")
    assert lines[2] == f"│   └── resources/raw/stations.csv  [source]  sha256:{sha(chain.raw)[:12]}"
    assert lines[3].startswith("└── results/b/era5_layer1.nc  [prepare_era5land layer=1]")
    assert lines[4].startswith("    ├── ~/data/mask.txt  [source]")
    assert lines[5].startswith(
        "    ├── resources/downloads/era5.manifest.json  [download "
        "manifest: provider=cds dataset=reanalysis-era5-land "
        "request.variable=volumetric_soil_water_layer_1 "
        "url=https://cds.example.org/api]"
    )
    assert lines[6] == "    └── results/a/stations.nc  (see above)"
    assert len(lines) == 7
    for path in (
        "figs/fig08_layer1.png",
        "results/a/stations.nc",
        "results/b/era5_layer1.nc",
        "resources/raw/stations.csv",
        "resources/downloads/era5.manifest.json",
        "~/data/mask.txt",
    ):
        full = [line for line in lines if f"{path}  [" in line]
        assert len(full) == 1, path
    shallow = lineage_tree(chain.png, max_depth=1).splitlines()
    assert len(shallow) == 3 and shallow[1].endswith("(1 input not shown)")
    assert lineage_tree(chain.png, max_depth=0).endswith("(2 inputs not shown)")


def test_cli(chain, capsys):
    assert main([str(chain.raw)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert str(chain.raw) in captured.err and "sidecar" in captured.err
    assert "written by the smdown workflow" in captured.err and "Traceback" not in captured.err
    assert main([str(chain.png), "--json", "--no-verify"]) == 0
    assert json.loads(capsys.readouterr().out) == read_sidecar(chain.png)
    assert main([str(sidecar_path(chain.png)), "--depth", "1"]) == 0
    assert capsys.readouterr().out.startswith("figs/fig08_layer1.png  [figure_layer layer=1]")
    proc = subprocess.run(
        [sys.executable, "-m", "smdown.provenance", str(chain.manifest)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"error: {chain.manifest}: has no provenance sidecar")


def test_corrupt_sidecar_is_an_input_error(tmp_path):
    data = write(tmp_path / "x.nc", "data")
    write(sidecar_path(data), "{not json")
    with pytest.raises(InputError, match="written by the smdown workflow") as err:
        read_sidecar(data)
    assert str(data) in str(err.value)
    write(sidecar_path(data), json.dumps({"schema": SCHEMA, "rule": "r"}))
    with pytest.raises(InputError, match="lacks created, file"):
        read_sidecar(data)
    write(sidecar_path(data), "[]")
    with pytest.raises(InputError, match="is not a smdown.provenance/1 record"):
        read_sidecar(data)
    write(sidecar_path(data), "{not json")
    with pytest.raises(InputError):
        job_record(
            rule="r",
            wildcards={},
            params={},
            inputs=[data],
            outputs=[data],
            log=[],
            config={},
            facts=facts_at(tmp_path),
        )


def test_job_record_fields_and_paths(fake_env, tmp_path):
    _home, _real, work = fake_env
    inside = write(work / "results" / "in.txt", "in")
    outside = write(tmp_path / "elsewhere" / "ext.txt", "ext")
    folder = work / "results" / "stations"
    write(folder / "s1.csv", "1")
    record = job_record(
        rule="collect",
        wildcards={"run": "demo"},
        params={"n": (1, 2)},
        inputs=[str(inside), outside],
        outputs=[folder],
        log=["logs/c.log"],
        config={"run": "demo"},
        facts=facts_at(work),
        created=datetime(2024, 5, 1, 12),
    )
    assert list(record) == RECORD_KEYS
    assert record["created"] == "2024-05-01T12:00:00+00:00"
    assert record["params"] == {"n": [1, 2]}
    assert [(e["name"], e["path"]) for e in record["inputs"]] == [
        (None, "results/in.txt"),
        (None, str(outside)),
    ]
    assert record["outputs"] == [
        {"path": "results/stations", "sha256": sha256_path(folder), "kind": "directory"}
    ]
    assert record["sources"] == [str(outside), "results/in.txt"]
    assert json.loads(json.dumps(record)) == record


def test_every_input_once_with_its_name(fake_env):
    _home, _real, work = fake_env
    for name in ("x.txt", "a.txt", "b.txt", "c.txt"):
        write(name, name)
    inputs = Named("c.txt", pair=["a.txt", "b.txt"], first="x.txt", again="x.txt")
    inputs.append("x.txt")  # Snakemake lists a path twice when two names give it
    out = write("out.txt", "out")
    [written] = record_job(FakeSnakemake("combine", work, input=inputs, output=[str(out)]))
    assert written == Path("out.txt.prov.json")
    entries = read_sidecar(out)["inputs"]
    assert [(e["name"], e["path"]) for e in entries] == [
        (None, "c.txt"),
        ("pair", "a.txt"),
        ("pair", "b.txt"),
        ("first", "x.txt"),
    ]
    mapping = job_record(
        rule="r",
        wildcards={},
        params={},
        inputs={"one": "a.txt", "two": ["b.txt", "c.txt"]},
        outputs=[out],
        log=[],
        config={},
        facts=facts_at(work),
    )
    assert [(e["name"], e["path"]) for e in mapping["inputs"]] == [
        ("one", "a.txt"),
        ("two", "b.txt"),
        ("two", "c.txt"),
    ]


def test_missing_output_is_named(fake_env):
    _home, _real, work = fake_env
    with pytest.raises(FileNotFoundError, match="results/never.nc"):
        record_job(FakeSnakemake("r", work, output=["results/never.nc"]))


def test_download_and_synthetic_jobs_are_sources(fake_env):
    _home, _real, work = fake_env
    delivered = write("resources/cmip6/m/historical/mrsos.nc", "cmip6")
    manifest = write_manifest(
        "resources/cmip6/m/historical.manifest.json",
        [delivered],
        {"provider": "esgf", "facets": {"source_id": "m"}},
    )
    record_job(
        FakeSnakemake(
            "download_cmip6",
            work,
            output=[str(manifest)],
            params={"request": {"experiment": "historical"}},
            wildcards={"model": "m"},
        )
    )
    truth = write("resources/synthetic/truth.nc", "truth")
    record_job(FakeSnakemake("synthesize_truth", work, output=[str(truth)], params={"seed": 1}))
    out = write("results/regridded.nc", "out")
    record_job(FakeSnakemake("regrid", work, input=[str(manifest), str(truth)], output=[str(out)]))
    lineage = read_sidecar(out)["lineage"]
    node = lineage[str(manifest)]
    assert node["rule"] == "download_cmip6" and node["source"] == "manifest"
    assert node["params"] == {"request": {"experiment": "historical"}}
    assert node["origin"] == {"provider": "esgf", "facets": {"source_id": "m"}}
    assert lineage[str(truth)]["source"] == "synthetic"
    assert read_sidecar(out)["sources"] == sorted([str(truth), str(manifest)])
    assert "[download manifest: provider=esgf facets.source_id=m]" in lineage_tree(out)


SUMMARY = "lineage verified: {} files, {} changed, {} missing"


def test_untouched_lineage_is_verified_without_marks(chain, capsys, monkeypatch):
    hashed = []
    real = provenance_lineage.sha256_path
    monkeypatch.setattr(
        provenance_lineage, "sha256_path", lambda path: hashed.append(path) or real(path)
    )
    assert main([str(chain.png)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:-1] == lineage_tree(chain.png).splitlines()  # no mark on any node
    assert lines[-1] == SUMMARY.format(6, 0, 0)
    # the figure and the five distinct files upstream, each hashed once though a.nc shows twice
    assert len(hashed) == len(set(hashed)) == 6
    checks = verify_lineage(chain.png)
    assert [c.path for c in checks] == [
        "figs/fig08_layer1.png",
        "results/a/stations.nc",
        "results/b/era5_layer1.nc",
        "resources/raw/stations.csv",
        "~/data/mask.txt",
        "resources/downloads/era5.manifest.json",
    ]
    assert {(c.status, c.mark) for c in checks} == {("ok", "")}
    assert checks[0].recorded == checks[0].actual == sha(chain.png)


def test_lineage_is_found_from_another_directory(chain, capsys, monkeypatch):
    monkeypatch.chdir(chain.work.parent)  # recorded paths are relative to the workflow's cwd
    assert main([str(chain.work / chain.png)]) == 0
    assert capsys.readouterr().out.endswith(SUMMARY.format(6, 0, 0) + "\n")


def test_changed_source_and_figure_are_marked(chain, capsys):
    recorded = sha(chain.raw)
    write(chain.raw, "station,lat,lon\nMaqu,34.0,102.1\n")
    assert main([str(chain.png)]) == 1
    lines = capsys.readouterr().out.splitlines()
    changed = [line for line in lines if "CHANGED" in line]
    assert changed == [
        f"│   └── resources/raw/stations.csv  [source]  sha256:{recorded[:12]}  "
        f"CHANGED (recorded {recorded[:12]}, now {sha(chain.raw)[:12]})"
    ]
    assert lines[-1] == SUMMARY.format(6, 1, 0)
    [check] = [c for c in verify_lineage(chain.png) if c.status != "ok"]
    assert (check.path, check.recorded, check.actual) == (
        "resources/raw/stations.csv",
        recorded,
        sha(chain.raw),
    )
    figure = sha(chain.png)
    with chain.png.open("ab") as fig:
        fig.write(b"trailing bytes")
    assert main([str(chain.png)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(f"CHANGED (recorded {figure[:12]}, now {sha(chain.png)[:12]})")
    assert lines[-1] == SUMMARY.format(6, 2, 0)


def test_deleted_source_is_missing(chain, capsys):
    recorded = sha(chain.mask)
    chain.mask.unlink()
    assert main([str(chain.png)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if "MISSING" in line or "CHANGED" in line] == [
        f"    ├── ~/data/mask.txt  [source]  sha256:{recorded[:12]}  MISSING"
    ]
    assert lines[-1] == SUMMARY.format(6, 0, 1)
    [check] = [c for c in verify_lineage(chain.png) if c.status != "ok"]
    assert (check.path, check.status, check.actual) == ("~/data/mask.txt", "missing", None)


def test_depth_limits_what_is_verified(chain, capsys):
    write(chain.raw, "changed beyond the shown levels")
    assert main([str(chain.png), "--depth", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == SUMMARY.format(3, 0, 0)
    assert main([str(chain.png), "--depth", "2"]) == 1


def test_no_verify_hashes_nothing(chain, capsys, monkeypatch):
    write(chain.raw, "changed")
    chain.mask.unlink()

    def fail(path):
        raise AssertionError(f"hashed {path}")

    monkeypatch.setattr(provenance_lineage, "sha256_path", fail)
    monkeypatch.setattr(provenance_sidecar, "sha256_of", fail)
    assert main([str(chain.png), "--no-verify"]) == 0
    out = capsys.readouterr().out
    assert out == lineage_tree(chain.png) + "\n"
    assert "CHANGED" not in out and "MISSING" not in out and "verified" not in out
    assert main([str(chain.png), "--json", "--no-verify", "--depth", "1"]) == 0
    assert json.loads(capsys.readouterr().out) == read_sidecar(chain.png)


def test_json_carries_the_verification(chain, capsys):
    recorded = sha(chain.raw)
    write(chain.raw, "changed")
    chain.mask.unlink()
    assert main([str(chain.png), "--json", "--depth", "1"]) == 1  # JSON checks the whole lineage
    captured = capsys.readouterr()
    assert captured.err == SUMMARY.format(6, 1, 1) + "\n"
    data = json.loads(captured.out)
    assert data["verification"] == {
        "status": "ok",
        "recorded": sha(chain.png),
        "actual": sha(chain.png),
    }
    lineage = data["lineage"]
    assert lineage["resources/raw/stations.csv"]["verification"] == {
        "status": "changed",
        "recorded": recorded,
        "actual": sha(chain.raw),
    }
    assert lineage["~/data/mask.txt"]["verification"]["status"] == "missing"
    assert lineage["~/data/mask.txt"]["verification"]["actual"] is None
    assert lineage["results/a/stations.nc"]["verification"]["status"] == "ok"
    assert all("verification" in node for node in lineage.values())
    for node in lineage.values():
        node.pop("verification")
    data.pop("verification")
    assert data == read_sidecar(chain.png)


def test_orphan_sidecars_are_removed_and_others_kept(tmp_path):
    kept, gone = tmp_path / "a" / "kept.nc", tmp_path / "b" / "c" / "gone.nc"
    folder = tmp_path / "dir_output"
    for path in (kept, gone):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
        provenance.sidecar_path(path).write_text("{}")
    folder.mkdir()
    provenance.sidecar_path(folder).write_text("{}")
    gone.unlink()
    removed = provenance.remove_orphan_sidecars([tmp_path, tmp_path / "absent"])
    assert removed == [provenance.sidecar_path(gone)]
    assert provenance.sidecar_path(kept).exists() and provenance.sidecar_path(folder).exists()
