# SimCLR (mmpretrain's, NT-Xent at temperature 0.1) with the teacher-attention head on
# ResNet-50's stage 3 (1024 channels, 14x14 at 224 px): L = NT-Xent + lambda * KLD(m_p, m_t)
# - beta * NSS(m_p, p_t), p_t the top 10% positions of the teacher map.
# attention_losses=dict(teacher=None) gives plain SimCLR on the same code path.
_base_ = ['../plugins/teacher_attention_loss_resnet50.py']
model = dict(
    type='GuidedSimCLR',
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=50,
        norm_cfg=dict(type='SyncBN'),
        zero_init_residual=True),
    neck=dict(
        type='NonLinearNeck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=128,
        num_layers=2,
        with_avg_pool=True),
    head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=0.1),
    attention_losses=dict(teacher={{_base_.teacher_attention_loss}}))
