# BYOL (mmpretrain's byol_resnet50 model: momentum 0.01, 4096-wide projector and predictor)
# with the teacher-attention head on ResNet-50's stage 3 of both views:
# L = BYOL + lambda * KLD(m_p, m_t) - beta * NSS(m_p, p_t).
_base_ = ['../plugins/teacher_attention_loss_resnet50.py']
model = dict(
    type='GuidedBYOL',
    base_momentum=0.01,
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(type='ResNet', depth=50, norm_cfg=dict(type='SyncBN'),
                  zero_init_residual=False),
    neck=dict(
        type='NonLinearNeck',
        in_channels=2048,
        hid_channels=4096,
        out_channels=256,
        num_layers=2,
        with_bias=True,
        with_last_bn=False,
        with_avg_pool=True),
    head=dict(
        type='LatentPredictHead',
        predictor=dict(
            type='NonLinearNeck',
            in_channels=256,
            hid_channels=4096,
            out_channels=256,
            num_layers=2,
            with_bias=True,
            with_last_bn=False,
            with_avg_pool=False),
        loss=dict(type='CosineSimilarityLoss')),
    attention_losses=dict(teacher={{_base_.teacher_attention_loss}}))
