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
        i.era5land,
        {p.product: i.product, "ensemble mean": i.ensemble_mean},
        {m: i[f"model_{m}"] for m in p.models},
        p.models,
        i.regions,
        p.region,
        p.years,
        p.layer,
    )
    groups = {
        **dict.fromkeys(p.models, "CMIP6 model"),
        "ensemble mean": "ensemble mean",
        p.product: "product",
    }
    candidates = {**held.models, **held.products}
    taylor = taylor_statistics(
        held.reference.values,
        {k: v.values for k, v in candidates.items()},
        reference_name="ERA5-Land",
    )
    taylor["group"] = taylor["name"].map(groups).fillna("reference")
    mae = xr.concat(
        [
            mae_map(held.reference, field).expand_dims(panel=[name])
            for name, field in held.products.items()
        ],
        dim="panel",
    )
    points = point_series(
        {"ERA5-Land": held.reference, **held.products},
        {point["name"]: (point["lon"], point["lat"]) for point in p.points},
    )
    table = skill_table(held.reference, held.products, held.mask)
    for frame, path, index in (
        (table, o.table, True),
        (taylor, o.taylor, False),
        (points, o.points, False),
    ):
        with atomic_path(path) as tmp:
            frame.to_csv(tmp, index=index, float_format="%.6g")
    write_netcdf(mae.to_dataset(name="mae"), o.mae)
    log.info("Table 2:\n%s", table.to_string())
