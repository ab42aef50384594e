# MoCo v2 (as configs/_base_/models/mocov2_resnet50.py) with the teacher-attention head on
# ResNet-50's stage 3 of the query view: L = InfoNCE + lambda * KLD(m_p, m_t)
# - beta * NSS(m_p, p_t), the TeacherAttentionLoss plugin on mmpretrain's MoCo.
_base_ = ['../plugins/teacher_attention_loss_resnet50.py']
model = dict(
    type='GuidedMoCo',
    queue_len=65536,
    feat_dim=128,
    momentum=0.001,
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='ResNet', depth=50, norm_cfg=dict(type='BN'), zero_init_residual=False),
    neck=dict(
        type='MoCoV2Neck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=128,
        with_avg_pool=True),
    head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=0.2),
    attention_losses=dict(teacher={{_base_.teacher_attention_loss}}))
