"""Table 2 and the data of Figs. 3-5 on the test years (rule holdout_skill)."""

import xarray as xr

from smdown.io import atomic_path, write_netcdf
from smdown.jobs import workflow_job
from smdown.product.holdout import holdout_fields
from smdown.stats.skill import mae_map, point_series, skill_table
from smdown.stats.taylor import taylor_statistics

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    held = holdout_fields(
        era5land=i.era5land,
        products={p.product: i.product, "ensemble mean": i.ensemble_mean},
        model_files={m: i[f"model_{m}"] for m in p.models},
        models=p.models,
        regions=i.regions,
        region=p.region,
        years=p.years,
        layer=p.layer,
    )
    groups = {
        **dict.fromkeys(p.models, "CMIP6 model"),
        "ensemble mean": "ensemble mean",
        p.product: "product",
    }
    candidates = {**held.models, **held.products}
    taylor = taylor_statistics(
        reference=held.reference.values,
        candidates={k: v.values for k, v in candidates.items()},
        reference_name="ERA5-Land",
    )
    taylor["group"] = taylor["name"].map(groups).fillna("reference")
    mae = xr.concat(
        [
            mae_map(reference=held.reference, candidate=field).expand_dims(panel=[name])
            for name, field in held.products.items()
        ],
        dim="panel",
    )
    points = point_series(
        fields={"ERA5-Land": held.reference, **held.products},
        points={point["name"]: (point["lon"], point["lat"]) for point in p.points},
    )
    table = skill_table(reference=held.reference, candidates=held.products, mask=held.mask)
    for frame, path, index in (
        (table, o.table, True),
        (taylor, o.taylor, False),
        (points, o.points, False),
    ):
        with atomic_path(path) as tmp:
            frame.to_csv(tmp, index=index, float_format="%.6g")
    write_netcdf(ds=mae.to_dataset(name="mae"), path=o.mae)
    log.info("Table 2:\n%s", table.to_string())
