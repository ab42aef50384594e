# Faster R-CNN ResNet-50 FPN as mmpretrain's FPN benchmarks set it up for self-supervised
# backbones: SyncBN trained in backbone, FPN and a 4-conv-1-fc box head (no frozen stage,
# no norm_eval). The backbone loads the pretraining checkpoint's backbone.* weights.
_base_ = 'mmdet::_base_/models/faster-rcnn_r50_fpn.py'
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    backbone=dict(frozen_stages=-1, norm_cfg=norm_cfg, norm_eval=False, init_cfg=None),
    neck=dict(norm_cfg=norm_cfg),
    roi_head=dict(
        bbox_head=dict(type='Shared4Conv1FCBBoxHead', norm_cfg=norm_cfg, num_classes=20)))
