# CPU-size sibling of faster-rcnn_r50-fpn_8xb2-ms-24k_voc0712.py: Faster R-CNN FPN on a
# ResNet-18, BN instead of SyncBN, BCCD at 320x240, 300 iterations of 4 images. The box head
# is mmdet's two-fc one on 128 RoIs per image (the 4-conv head on 512 RoIs would take most of
# the CPU time); the backbone, which is what transfers, is the same.
# Starts from random weights; transfer a pretraining run with
#   python tools/train.py THIS_CONFIG --pretrained work_dirs/<pretraining>/epoch_N.pth
# (ResNet-18 checkpoints of any output stride: strides and dilations are set here, the
# weights are the same).
_base_ = [
    './_base_/models/faster-rcnn_r50-fpn-4conv1fc.py',
    './_base_/datasets/bccd_320_cpu.py',
    './_base_/schedules/sgd-steplr_300i_cpu.py',
]

norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    backbone=dict(depth=18, norm_cfg=norm_cfg),
    neck=dict(in_channels=[64, 128, 256, 512], norm_cfg=norm_cfg),
    roi_head=dict(bbox_head=dict(type='Shared2FCBBoxHead', norm_cfg=None, num_classes=3)),
    train_cfg=dict(rcnn=dict(sampler=dict(num=128))))
