# Faster R-CNN on a VARS-D ViT-S/16: the single stride-16 feature map of the last layer is
# turned into a pyramid (strides 4, 8, 16, 32) by mmseg's MultiLevelNeck (resize + 3x3 conv,
# ViTDet's simple-pyramid idea), followed by the RPN and the 4-conv-1-fc box head of the
# ResNet FPN model. VARS-D attention works at any token grid, the position embedding is
# interpolated to it. The backbone loads a VARS pretraining run's backbone.* weights.
_base_ = './faster-rcnn_r50-fpn-4conv1fc.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='VARSVisionTransformer',
        arch='deit-small',
        img_size=224,
        patch_size=16,
        out_indices=(11, ),
        out_type='featmap',
        drop_path_rate=0.1,
        attn_cfgs=dict(dictionary='dynamic', num_steps=5, lam=0.3, rand_feat_ratio=2,
                       solver='lista'),
        init_cfg=None),
    neck=dict(
        _delete_=True,
        type='mmseg.MultiLevelNeck',
        in_channels=[384],
        out_channels=256,
        scales=[4, 2, 1, 0.5]),
    rpn_head=dict(anchor_generator=dict(strides=[4, 8, 16, 32])))
