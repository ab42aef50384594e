# MoCo v2 (as configs/_base_/models/mocov2_resnet50.py) with the teacher-attention head on
# ResNet-50's stage 3 of the query view: L = InfoNCE + lambda * KLD(m_p, m_t)
# - beta * NSS(m_p, p_t).
model = dict(
    type='TeacherAttentionMoCo',
    queue_len=65536,
    feat_dim=128,
    momentum=0.001,
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='ResNet', depth=50, out_indices=(2, 3), norm_cfg=dict(type='BN'),
        zero_init_residual=False),
    neck=dict(
        type='MoCoV2Neck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=128,
        with_avg_pool=True),
    head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=0.2),
    attn_head=dict(
        type='SpatialAttentionHead',
        in_channels=1024,
        hid_channels=256,
        lam=1.0,
        beta=1.0,
        fixation_from='topk',
        fixation_ratio=0.1),
    attn_in_index=0,
    target_key='saliency')
