# Faster R-CNN ResNet-50 C4 of the MoCo / CAST VOC detection benchmark (MoCo's detectron2
# config pascal_voc_R_50_C4_24k_moco.yaml; mmpretrain's benchmarks/mmdetection C4 configs):
# a torchvision-style ('pytorch') ResNet on RGB input normalised as in pretraining, SyncBN
# trained everywhere (no frozen stage, no norm_eval), and the res5 shared head with an extra
# norm after it (mmpretrain's ResLayerExtraNorm). Backbone (stages 1-3) and shared head
# (layer4) both load the pretraining checkpoint's backbone.* weights.
_base_ = 'mmdet::_base_/models/faster-rcnn_r50-caffe-c4.py'
custom_imports = dict(
    imports=['attn_plugins', 'mmpretrain.models.utils.res_layer_extra_norm'],
    allow_failed_imports=False)

norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    data_preprocessor=dict(
        mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], bgr_to_rgb=True),
    backbone=dict(
        frozen_stages=-1, norm_cfg=norm_cfg, norm_eval=False, style='pytorch', init_cfg=None),
    roi_head=dict(
        shared_head=dict(
            type='ResLayerExtraNorm',
            norm_cfg=norm_cfg,
            norm_eval=False,
            style='pytorch',
            init_cfg=None),
        bbox_head=dict(num_classes=20)))
