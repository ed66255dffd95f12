"""VGG16 weights for the perceptual loss (rule vgg16_weights).

From torch.hub with a hash check, a checked local file, or random weights (synthetic, for tests:
no perceptual meaning)."""

from smdown.jobs import workflow_job
from smdown.sources.weights import fetch_vgg16, take_local_vgg16
from smdown.synthetic.vgg import write_random_vgg16

with workflow_job(snakemake) as log:
    o, p = snakemake.output, snakemake.params
    if p.provider == "url":
        fetch_vgg16(dest=o[0], url=p.url)
    elif p.provider == "synthetic":
        write_random_vgg16(path=o[0], seed=p.seed)
        log.warning(
            "random VGG16 weights (vgg.provider synthetic): the perceptual loss is not ImageNet's"
        )
    else:
        take_local_vgg16(source=p.local_path, dest=o[0])
    log.info("wrote %s", o[0])
