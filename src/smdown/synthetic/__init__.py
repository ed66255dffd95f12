"""Synthetic demo inputs written in the real file formats, sampled from one known truth.

Every writer samples the same seeded analytic world (`TruthWorld`), and writes exactly the
layouts the real sources deliver, so everything after ingest runs the code of a real run and
the tests can compare the pipeline's output with the truth. The world's box and resolution (the
TRSR at 0.1 degree by default; `CHINA_BOX` at `CHINA_RESOLUTION` for the CMIP6DL study) set the
area the CMIP6, ERA5-Land and CMA writers cover:

- CMIP6 `mrsos` CMOR files (Lmon, kg m-2, native grid, calendar and file chunking);
- ERA5-Land monthly means `swvl1..3` (or a subset) in the new CDS layout (`valid_time`,
  `number`, `expver`; optionally a zip, also of two members) and the legacy one (packed shorts,
  `expver` dimension), at ERA5-Land's 0.1 degree or a coarser requested grid;
- AMSMQTP daily `SM` on the reference's layers (its five by default), one packed NetCDF per year;
- ISMN "header_values" `.stm` files with static-variable CSVs (CTP_SMTMN, MAQU, NAQU in their
  boxes; any other network inside a given region, `first_region`);
- a CMA station CSV (`station_id,lat,lon,elevation_m,date,depth_cm,sm`);
- GeoJSONs of approximate, hand-drawn TRSR basin outlines and of a China outline, or for any
  other grid and region names generated rectangles labelled as synthetic (`write_regions`);
- random VGG16 feature weights in torchvision's layout (`write_random_vgg16`, not ImageNet's).
"""

from smdown.synthetic.amsmqtp import amsmqtp_filenames, write_amsmqtp
from smdown.synthetic.cmip6 import cmip6_filenames, write_cmip6
from smdown.synthetic.era5land import write_era5land
from smdown.synthetic.masks import (
    first_region,
    mask_region,
    station_region,
    write_china_regions,
    write_demo_regions,
    write_regions,
)
from smdown.synthetic.stations import write_cma, write_ismn
from smdown.synthetic.truth import (
    CHINA_BOX,
    CHINA_RESOLUTION,
    TruthWorld,
    box_grid,
    target_grid,
    world_on,
)

__all__ = [
    "CHINA_BOX",
    "CHINA_RESOLUTION",
    "TruthWorld",
    "amsmqtp_filenames",
    "box_grid",
    "cmip6_filenames",
    "first_region",
    "mask_region",
    "station_region",
    "target_grid",
    "write_amsmqtp",
    "write_cma",
    "write_china_regions",
    "write_cmip6",
    "write_demo_regions",
    "write_era5land",
    "world_on",
    "write_ismn",
    "write_regions",
]
