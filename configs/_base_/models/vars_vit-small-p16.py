# VARS-D ViT-S/16 classifier (DeiT-S layout: 384 wide, 12 layers, 6 heads): every block's
# self-attention replaced by VARS-D (5 LISTA steps, lambda 0.3, 2x random features), with the
# DeiT recipe's label smoothing and Mixup / CutMix.
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VARSVisionTransformer',
        arch='deit-small',
        img_size=224,
        patch_size=16,
        drop_path_rate=0.1,
        attn_cfgs=dict(dictionary='dynamic', num_steps=5, lam=0.3, rand_feat_ratio=2,
                       solver='lista')),
    neck=None,
    head=dict(
        type='VisionTransformerClsHead',
        num_classes=1000,
        in_channels=384,
        loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, mode='original')),
    init_cfg=[
        dict(type='TruncNormal', layer='Linear', std=.02),
        dict(type='Constant', layer='LayerNorm', val=1., bias=0.),
    ],
    train_cfg=dict(augments=[dict(type='Mixup', alpha=0.8), dict(type='CutMix', alpha=1.0)]),
)
