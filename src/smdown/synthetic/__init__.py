"""Synthetic demo inputs written in the real file formats, sampled from one known truth.

Every writer samples the same seeded analytic world (`TruthWorld`), and writes exactly the
layouts the real sources deliver, so everything after ingest runs the code of a real run and
the tests can compare the pipeline's output with the truth:

- CMIP6 `mrsos` CMOR files (Lmon, kg m-2, native grid, calendar and file chunking);
- ERA5-Land monthly means `swvl1..3` in the new CDS layout (`valid_time`, `number`, `expver`;
  optionally a zip, also of two members) and the legacy one (packed shorts, `expver` dimension);
- AMSMQTP daily 5-layer `SM`, one packed NetCDF per year;
- ISMN "header_values" `.stm` files with static-variable CSVs (CTP_SMTMN, MAQU, NAQU);
- a CMA station CSV (`station_id,lat,lon,elevation_m,date,depth_cm,sm`);
- a GeoJSON of approximate, hand-drawn TRSR basin outlines;
- random VGG16 feature weights in torchvision's layout (`write_random_vgg16`, not ImageNet's).
"""

from smdown.synthetic.amsmqtp import amsmqtp_filenames, write_amsmqtp
from smdown.synthetic.cmip6 import cmip6_filenames, write_cmip6
from smdown.synthetic.era5land import write_era5land
from smdown.synthetic.masks import write_demo_regions
from smdown.synthetic.stations import write_cma, write_ismn
from smdown.synthetic.truth import TruthWorld, target_grid

__all__ = [
    "TruthWorld",
    "amsmqtp_filenames",
    "cmip6_filenames",
    "target_grid",
    "write_amsmqtp",
    "write_cma",
    "write_cmip6",
    "write_demo_regions",
    "write_era5land",
    "write_ismn",
]
