# SaliencyTeacher (Yao et al. 2023's teacher): a ResNet-50 encoder (stages 2-4) and an
# FPN-style decoder with a learned Gaussian center-bias prior, trained with KLD + CC + NSS
# against human fixations. An untrained decoder predicts the center bias.
# The encoder starts from random weights (ResNet's own Kaiming init), as the paper's teacher
# does: weights trained on ImageNet labels would carry label information through the
# teacher's maps into a self-supervised student. A self-supervised checkpoint is label-free
# and may be loaded here instead:
#     backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=CKPT, prefix='backbone.'))
# The supervised-init variant, in configs/saliency_teacher/, says so in its name:
# saliency-teacher_resnet50-in1k-supervised-init_1xb32-adam-20e_salicon-320x240.py.
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
        norm_cfg=dict(type='BN')),
    decoder=dict(
        type='SaliencyDecoder',
        in_channels=(512, 1024, 2048),
        channels=128,
        center_bias=True,
        center_bias_sigma=0.25),
    loss_weights=dict(kld=1.0, cc=1.0, nss=1.0))
