"""In-situ soil moisture: ISMN and CMA stations as monthly means per AMSMQTP layer."""

from smdown.insitu.stations import (
    layer_of_depth,
    monthly_means,
    read_cma,
    read_ismn,
    station_table,
    write_station_table,
)

__all__ = [
    "layer_of_depth",
    "monthly_means",
    "read_cma",
    "read_ismn",
    "station_table",
    "write_station_table",
]
