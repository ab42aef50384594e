# Supervised ResNet-50 (mmpretrain's resnet50.py) with the teacher-attention head on stage 3:
# L = CE + lambda * KLD(m_p, m_t) - beta * NSS(m_p, p_t).
model = dict(
    type='TeacherAttentionClassifier',
    backbone=dict(type='ResNet', depth=50, num_stages=4, out_indices=(2, 3), style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=2048,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)),
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
