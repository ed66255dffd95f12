"""Training of the UNet-GAN downscaler: data assembly and checks (`data`), the resumable loop
(`loop`), the ensemble-mean baseline (`baselines`) and the pretrain / finetune jobs (`run`)."""
