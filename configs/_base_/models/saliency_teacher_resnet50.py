# SaliencyTeacher (Yao et al. 2023's teacher): a ResNet-50 encoder (ImageNet weights, stages
# 2-4) and an FPN-style decoder with a learned Gaussian center-bias prior, trained with
# KLD + CC + NSS against human fixations. An untrained decoder predicts the center bias.
model = dict(
    type='SaliencyTeacher',
    data_preprocessor=dict(
        type='ClsDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=50,
        out_indices=(1, 2, 3),
        norm_cfg=dict(type='BN'),
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    decoder=dict(
        type='SaliencyDecoder',
        in_channels=(512, 1024, 2048),
        channels=128,
        center_bias=True,
        center_bias_sigma=0.25),
    loss_weights=dict(kld=1.0, cc=1.0, nss=1.0))
