"""Fail when the config needs something that is not there (rule check: the preflight)."""

from smdown.logs import route_to
from smdown.preflight import check

log = route_to(snakemake.log[0])
check(snakemake.config)
log.info("preflight: nothing missing")
