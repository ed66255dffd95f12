"""Acquisition without network: exact CDS requests, ESGF facets, manifests, ingest checks.

No test constructs a real `cdsapi.Client`: `cdsapi.Client` is replaced by a trap, and the
downloads run against fake clients that behave like the CDS (zip deliveries, failures).
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from smdown.catalog import EXPERIMENTS, MODELS
from smdown.configuration import resolve_config
from smdown.errors import InputError
from smdown.geometry import native_grid
from smdown.prepare import prepare_cmip6
from smdown.sources import acquire, cds, esgf
from smdown.sources.download import DownloadError
from smdown.sources.manifest import manifest_files, source_location
from smdown.synthetic import TruthWorld, write_cmip6
from tests.conftest import SHARED_MASKS

_REPO = Path(__file__).resolve().parents[2]
CONFIG = resolve_config([_REPO / "config/config.yaml"], _REPO / "config")  # the paper, as run
AREA = [38, 89, 31, 104]
CDS_IDS = {  # as the CDS projections-cmip6 form spells them
    "ACCESS-CM2": "access_cm2",
    "BCC-CSM2-MR": "bcc_csm2_mr",
    "CanESM5-CanOE": "canesm5_canoe",
    "CESM2": "cesm2",
    "CMCC-CM2-SR5": "cmcc_cm2_sr5",
    "CNRM-CM6-1-HR": "cnrm_cm6_1_hr",
    "CNRM-ESM2-1": "cnrm_esm2_1",
    "EC-Earth3-Veg-LR": "ec_earth3_veg_lr",
    "KACE-1-0-G": "kace_1_0_g",
    "MIROC6": "miroc6",
    "MIROC-ES2L": "miroc_es2l",
    "MPI-ESM1-2-LR": "mpi_esm1_2_lr",
    "MRI-ESM2-0": "mri_esm2_0",
    "NorESM2-LM": "noresm2_lm",
    "NorESM2-MM": "noresm2_mm",
    "TaiESM1": "taiesm1",
    "UKESM1-0-LL": "ukesm1_0_ll",
    # the CMIP6DL study's further eight
    "CanESM5": "canesm5",
    "EC-Earth3": "ec_earth3",
    "EC-Earth3-Veg": "ec_earth3_veg",
    "FGOALS-g3": "fgoals_g3",
    "GFDL-ESM4": "gfdl_esm4",
    "INM-CM5-0": "inm_cm5_0",
    "IPSL-CM6A-LR": "ipsl_cm6a_lr",
    "MPI-ESM1-2-HR": "mpi_esm1_2_hr",
}
MONTHS = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"]


@pytest.fixture(autouse=True)
def no_real_client(monkeypatch):
    """Fail loudly if anything constructs a real cdsapi.Client."""
    import cdsapi

    def trap(*args, **kwargs):
        raise AssertionError("a test constructed a real cdsapi.Client")

    monkeypatch.setattr(cdsapi, "Client", trap)


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv("CDSAPI_URL", "https://cds.example/api")
    monkeypatch.setenv("CDSAPI_KEY", "secret-key-123")


def test_era5land_requests_for_every_chunk():
    chunks = CONFIG["sources"]["era5land"]["chunks"]
    requests = [cds.era5land_request(a, b, AREA) for a, b in chunks]
    assert requests[0] == {
        "product_type": ["monthly_averaged_reanalysis"],
        "variable": [
            "volumetric_soil_water_layer_1",
            "volumetric_soil_water_layer_2",
            "volumetric_soil_water_layer_3",
        ],
        "year": [str(y) for y in range(1950, 1970)],
        "month": MONTHS,
        "time": ["00:00"],
        "data_format": "netcdf",
        "download_format": "unarchived",
        "area": [38.0, 89.0, 31.0, 104.0],
    }
    years = [y for r in requests for y in r["year"]]
    assert years == [str(y) for y in range(1950, 2020)]  # every year once, no overlap


def test_era5land_request_on_a_coarser_grid():
    """The CMIP6DL study asks the CDS for ERA5-Land interpolated to 0.25 degrees."""
    request = cds.era5land_request(1950, 1969, AREA, resolution=0.25)
    assert request["grid"] == [0.25, 0.25]
    assert {k: v for k, v in request.items() if k != "grid"} == cds.era5land_request(
        1950, 1969, AREA
    )


def test_cmip6_requests_for_every_model_and_experiment():
    experiments = {
        "historical": "historical",
        "ssp126": "ssp1_2_6",
        "ssp245": "ssp2_4_5",
        "ssp370": "ssp3_7_0",
        "ssp585": "ssp5_8_5",
    }
    count = 0
    for model in MODELS:
        for exp, cds_exp in experiments.items():
            req = cds.cmip6_request(model, exp, AREA, pad_cells=3)
            e = EXPERIMENTS[exp]
            assert req == {
                "temporal_resolution": "monthly",
                "experiment": cds_exp,
                "variable": "moisture_in_upper_portion_of_soil_column",
                "model": CDS_IDS[model],
                "year": [str(y) for y in range(e.first_year, e.last_year + 1)],
                "month": MONTHS,
                "area": req["area"],
            }
            north, west, south, east = req["area"]
            grid = native_grid(MODELS[model].grid)
            dlat = np.diff(grid.lat_bnds, axis=1).max()
            # At least three native cells beyond the domain on every side.
            assert north >= 38 + 3 * dlat and south <= 31 - 3 * dlat
            assert west <= 89 - 3 * MODELS[model].grid.dlon
            assert east >= 104 + 3 * MODELS[model].grid.dlon
            count += 1
    assert count == 125  # 25 models x 5 experiments
    assert cds.cmip6_request("CanESM5-CanOE", "ssp585", AREA, 3)["area"] == [49, 80, 20, 113]


def test_esgf_facets_from_table_1():
    members = {
        "CanESM5-CanOE": "r1i1p2f1",
        "CNRM-CM6-1-HR": "r1i1p1f2",
        "UKESM1-0-LL": "r1i1p1f2",
        "MIROC-ES2L": "r1i1p1f2",
        "CNRM-ESM2-1": "r1i1p1f2",
    }
    for model in MODELS:
        facets = esgf.search_facets(model, "ssp245")
        assert facets == {
            "source_id": model,
            "experiment_id": "ssp245",
            "member_id": members.get(model, "r1i1p1f1"),
            "grid_label": MODELS[model].grid_label,
            "table_id": "Lmon",
            "variable_id": "mrsos",
        }


def test_missing_credentials_message(monkeypatch, tmp_path):
    monkeypatch.delenv("CDSAPI_URL", raising=False)
    monkeypatch.delenv("CDSAPI_KEY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("CDSAPI_RC", raising=False)
    with pytest.raises(cds.CredentialsError) as err:
        acquire.era5land_from_cds(
            2010, 2014, tmp_path / "e.nc", tmp_path / "e.json", area=AREA, retries=0, backoff_s=0
        )
    assert "~/.cdsapirc" in str(err.value) and "CDSAPI_URL" in str(err.value)
    assert "CDSAPI_KEY" in str(err.value) and not list(tmp_path.iterdir())


class FakeCDS:
    """Behaves like the CDS: fails `failures` times, then delivers `payload(target)`."""

    def __init__(self, payload, failures: int = 0):
        self.payload, self.failures, self.calls = payload, failures, []

    def __call__(self):
        return self

    def retrieve(self, dataset, request, target):
        self.calls.append((dataset, request))
        Path(target).write_bytes(b"partial")  # a half transfer before any failure
        if len(self.calls) <= self.failures:
            raise ConnectionError("503 Service Unavailable")
        self.payload(Path(target))


def _zip_of_cmip6(tmp_path, model, experiment):
    files = write_cmip6(TruthWorld(seed=3), model, experiment, tmp_path / "cmor")

    def payload(target: Path) -> None:
        with zipfile.ZipFile(target, "w") as zf:
            for f in files:
                zf.write(f, f.name)
            zf.writestr("provenance.json", "{}")

    return payload


def test_cmip6_from_cds_unpacks_zip_and_writes_manifest(tmp_path, credentials, caplog, target):
    client = FakeCDS(_zip_of_cmip6(tmp_path, "CESM2", "historical"), failures=2)
    manifest = tmp_path / "cmip6" / "CESM2_historical.manifest.json"
    with caplog.at_level("DEBUG"):
        acquire.cmip6_from_cds(
            "CESM2",
            "historical",
            tmp_path / "cmip6",
            manifest,
            area=AREA,
            pad_cells=3,
            retries=3,
            backoff_s=0.0,
            client_factory=client,
        )
    assert len(client.calls) == 3
    record = json.loads(manifest.read_text())
    assert record["origin"]["request"] == cds.cmip6_request("CESM2", "historical", AREA, 3)
    files = manifest_files(manifest, verify=True)
    assert [f.name for f in files] == ["mrsos_Lmon_CESM2_historical_r1i1p1f1_gn_195001-201412.nc"]
    assert sorted(p.name for p in files[0].parent.iterdir()) == [files[0].name]  # zip, json gone
    assert "secret-key-123" not in caplog.text + manifest.read_text()
    ds = prepare_cmip6([manifest], "CESM2", "historical", target)
    assert ds["mrsos"].shape == (780, 71, 151)


def test_cds_failures_exhausted_leave_no_file(tmp_path, credentials):
    client = FakeCDS(lambda t: None, failures=10)
    with pytest.raises(ConnectionError):
        acquire.era5land_from_cds(
            2010,
            2014,
            tmp_path / "e.nc",
            tmp_path / "e.json",
            area=AREA,
            retries=2,
            backoff_s=0.0,
            client_factory=client,
        )
    assert len(client.calls) == 3 and not list(tmp_path.iterdir())


def test_cmip6_from_esgf_copies_files_and_records_facets(tmp_path):
    files = write_cmip6(TruthWorld(seed=3), "MIROC6", "ssp126", tmp_path / "cache")

    class Catalog:
        def search(self, **facets):
            self.facets = facets
            return self

        def to_path_dict(self, minimal_keys=True):
            return {"MIROC6.ssp126": files}

    manifest = tmp_path / "cmip6" / "MIROC6_ssp126.manifest.json"
    acquire.cmip6_from_esgf(
        "MIROC6",
        "ssp126",
        tmp_path / "cmip6",
        manifest,
        retries=0,
        backoff_s=0,
        catalog_factory=Catalog,
    )
    record = json.loads(manifest.read_text())
    assert record["origin"]["facets"]["member_id"] == "r1i1p1f1"
    assert [f.name for f in manifest_files(manifest, verify=True)] == [f.name for f in files]


def test_manifest_detects_a_changed_file(tmp_path, credentials):
    client = FakeCDS(lambda t: t.write_bytes(b"CDF\x01 not really"))
    manifest = tmp_path / "e.manifest.json"
    acquire.era5land_from_cds(
        2010,
        2010,
        tmp_path / "e.nc",
        manifest,
        area=AREA,
        retries=0,
        backoff_s=0,
        client_factory=client,
    )
    (tmp_path / "e.nc").write_bytes(b"CDF\x01 changed")
    with pytest.raises(InputError, match="sha256 differs"):
        manifest_files(manifest, verify=True)


@pytest.mark.parametrize(
    "source, options, message",
    [
        ("amsmqtp", {"pattern": "*.nc"}, "registration"),
        ("ismn", {"networks": ["MAQU"]}, "ismn.earth"),
        ("cma", {}, "not public"),
    ],
)
def test_ingest_of_missing_sources_says_where_to_get_them(tmp_path, source, options, message):
    options = {"path": str(tmp_path / "nothing"), **options}
    with pytest.raises(InputError, match=message) as err:
        acquire.ingest_source(source, tmp_path / "m.json", options)
    assert "nothing" in str(err.value) and not (tmp_path / "m.json").exists()


def test_ingest_of_synthetic_sources(tmp_path):
    from smdown.synthetic import write_cma, write_ismn

    world = TruthWorld(seed=1)
    write_ismn(world, tmp_path / "ismn", networks=("NAQU",), period=("2010-01-01", "2010-02-28"))
    write_cma(world, tmp_path / "cma.csv", n_stations=2, period=("2015-01-01", "2015-01-31"))
    m = acquire.ingest_source(
        "ismn", tmp_path / "ismn.json", {"path": str(tmp_path / "ismn"), "networks": ["NAQU"]}
    )
    assert sum(f.suffix == ".stm" for f in manifest_files(m)) == 25  # 5 stations x 5 depths
    m = acquire.ingest_source(
        "cma", tmp_path / "cma.manifest.json", {"path": str(tmp_path / "cma.csv")}
    )
    assert manifest_files(m) == [tmp_path / "cma.csv"]
    assert source_location(m) == tmp_path / "cma.csv" == source_location(tmp_path / "cma.csv")
    (tmp_path / "bad.csv").write_text("id,lat\n1,2\n")
    with pytest.raises(InputError, match="columns"):
        acquire.ingest_source("cma", tmp_path / "bad.json", {"path": str(tmp_path / "bad.csv")})


@pytest.fixture
def mask_server():
    """The authors' masks served over HTTP on 127.0.0.1, as their repository serves them."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SHARED_MASKS))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.skipif(not SHARED_MASKS.is_dir(), reason="no authors' masks (SMDOWN_TRSR_MASKS)")
def test_published_masks_download_with_the_configured_checksums(tmp_path, mask_server, monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    for name, source in CONFIG["regions"]["urls"].items():
        url = f"{mask_server}/{source['url'].rsplit('/', 1)[-1]}"
        out = acquire.from_url(
            url, source["sha256"], tmp_path / f"{name}.nc", retries=0, backoff_s=0, timeout_s=10
        )
        assert out.read_bytes() == (SHARED_MASKS / f"{name}_0.1.nc").read_bytes()
    wrong = "0" * 64
    with pytest.raises(DownloadError, match="sha256"):
        acquire.from_url(
            f"{mask_server}/yellow_0.1.nc",
            wrong,
            tmp_path / "x.nc",
            retries=0,
            backoff_s=0,
            timeout_s=10,
        )
    assert not (tmp_path / "x.nc").exists()
