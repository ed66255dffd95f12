"""Neural networks of the UNet-GAN downscaler (Li et al. 2024) and its losses, in plain torch.

`UNetGenerator` maps CMIP6 channels to soil-moisture layers, `Discriminator` scores fields for
the relativistic GAN, `VGG16Features` serves the perceptual loss; `losses` holds eq. 3-10.
`YNet` is the second study's (CMIP6DL) fusion-and-downscaling network.
"""

from smdown.nn.discriminator import Discriminator
from smdown.nn.losses import (
    LossWeights,
    generator_loss,
    insitu_loss,
    layer_triplets,
    masked_mse,
    relativistic_discriminator_loss,
    relativistic_generator_loss,
    tv_loss,
    vgg_loss,
)
from smdown.nn.unet import UNetGenerator
from smdown.nn.vgg import VGG16Features
from smdown.nn.ynet import StaticFieldsYNet, YNet

__all__ = [
    "Discriminator",
    "LossWeights",
    "UNetGenerator",
    "VGG16Features",
    "StaticFieldsYNet",
    "YNet",
    "generator_loss",
    "insitu_loss",
    "layer_triplets",
    "masked_mse",
    "relativistic_discriminator_loss",
    "relativistic_generator_loss",
    "tv_loss",
    "vgg_loss",
]
