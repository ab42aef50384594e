# The MoCo / CAST detection benchmark: Faster R-CNN ResNet-50 C4 (SyncBN, extra-norm res5
# head) fine-tuned on VOC2007+2012 trainval for 24k iterations of 16 images, tested on
# VOC2007 test (AP, AP50, AP75). Backbone and shared res5 head start from a pretraining
# checkpoint's backbone.* weights; by default the CAST run of
# configs/cast/cast_resnet50_8xb32-coslr-200e_coco.py. Any other checkpoint:
#   bash tools/dist_train.sh THIS_CONFIG 8 --pretrained PRETRAIN.pth
_base_ = [
    './_base_/models/faster-rcnn_r50-c4-extra-norm.py',
    './_base_/datasets/voc0712_ms.py',
    './_base_/schedules/sgd-steplr_24k.py',
]

pretrain_ckpt = 'work_dirs/cast_resnet50_8xb32-coslr-200e_coco/epoch_200.pth'
# _delete_: the model base has init_cfg=None (no torchvision / caffe weights).
model = dict(
    backbone=dict(init_cfg=dict(
        _delete_=True, type='Pretrained', checkpoint=pretrain_ckpt, prefix='backbone.')),
    roi_head=dict(shared_head=dict(init_cfg=dict(
        _delete_=True, type='Pretrained', checkpoint=pretrain_ckpt, prefix='backbone.'))))
