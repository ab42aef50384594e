# SimCLR (lightly's NT-Xent, temperature 0.1) with the teacher-attention head on ResNet-50's
# stage 3 (1024 channels, 14x14 at 224 px): L = NT-Xent + lambda * KLD(m_p, m_t)
# - beta * NSS(m_p, p_t), p_t the top 10% positions of the teacher map. attn_head=None gives
# plain SimCLR on the same code path.
model = dict(
    type='TeacherAttentionSimCLR',
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=50,
        out_indices=(2, 3),  # the attention head's stage, then the last one
        norm_cfg=dict(type='SyncBN'),
        zero_init_residual=True),
    neck=dict(
        type='NonLinearNeck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=128,
        num_layers=2,
        with_avg_pool=True),
    attn_head=dict(
        type='SpatialAttentionHead',
        in_channels=1024,
        hid_channels=256,
        lam=1.0,
        beta=1.0,
        fixation_from='topk',
        fixation_ratio=0.1),
    attn_in_index=0,
    target_key='saliency',
    temperature=0.1,
    gather_distributed=True)
