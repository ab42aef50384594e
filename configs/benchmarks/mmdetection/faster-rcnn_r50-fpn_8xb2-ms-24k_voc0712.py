# FPN variant of the VOC detection benchmark: Faster R-CNN ResNet-50 FPN (SyncBN in backbone,
# FPN and a 4-conv-1-fc box head), same data, schedule and metrics as
# faster-rcnn_r50-c4_8xb2-ms-24k_voc0712.py. The backbone starts from a pretraining
# checkpoint's backbone.* weights (default: the CAST ResNet-50 run; --pretrained PATH).
_base_ = [
    './_base_/models/faster-rcnn_r50-fpn-4conv1fc.py',
    './_base_/datasets/voc0712_ms.py',
    './_base_/schedules/sgd-steplr_24k.py',
]

pretrain_ckpt = 'work_dirs/cast_resnet50_8xb32-coslr-200e_coco/epoch_200.pth'
# _delete_: the model base has init_cfg=None (no torchvision weights).
model = dict(
    backbone=dict(init_cfg=dict(
        _delete_=True, type='Pretrained', checkpoint=pretrain_ckpt, prefix='backbone.')))
