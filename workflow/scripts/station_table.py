"""Monthly station means per layer from ISMN and CMA (rule station_table)."""

from smdown.insitu.stations import station_table, write_station_table
from smdown.logs import route_to
from smdown.provenance import record_job
from smdown.sources.manifest import source_location

log = route_to(snakemake.log[0])
p = snakemake.params
box = (p.grid["lat_min"], p.grid["lat_max"], p.grid["lon_min"], p.grid["lon_max"])
ismn, cma = (source_location(snakemake.input[s]) for s in ("ismn", "cma"))
table = station_table(ismn, cma, p.networks, p.min_days, box)
write_station_table(table, snakemake.output[0])
log.info("%d station-layer-months from %d stations", len(table), table["station"].nunique())
record_job(snakemake)
