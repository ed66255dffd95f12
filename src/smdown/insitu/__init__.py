"""In-situ soil moisture: ISMN and CMA stations as monthly means per AMSMQTP layer."""

from smdown.insitu.cma_stations import read_cma
from smdown.insitu.ismn_stations import read_ismn
from smdown.insitu.sensors import layer_of_depth
from smdown.insitu.stations import monthly_means, station_table, write_station_table

__all__ = [
    "layer_of_depth",
    "monthly_means",
    "read_cma",
    "read_ismn",
    "station_table",
    "write_station_table",
]
