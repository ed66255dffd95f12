"""VGG16 weights for the perceptual loss: torch.hub with hash check, or a checked local file."""

from smdown.logs import route_to
from smdown.sources.weights import fetch_vgg16, take_local_vgg16

log = route_to(snakemake.log[0])
p = snakemake.params
if p.provider == "url":
    fetch_vgg16(snakemake.output[0], url=p.url)
else:
    take_local_vgg16(p.local_path, snakemake.output[0])
log.info("wrote %s", snakemake.output[0])
