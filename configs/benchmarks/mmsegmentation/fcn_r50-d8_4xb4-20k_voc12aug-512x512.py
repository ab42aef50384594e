# Segmentation transfer: mmseg's FCN ResNet-50 D8 on Pascal VOC 2012 + SBD (aug, 10,582
# training images; val 1,449), 20k iterations of 4 GPUs x 4 crops of 512x512, SyncBN; mIoU.
# The backbone is a plain ResNet-50 (mmseg's `ResNet`: 7x7 stem) instead of mmseg's default
# ResNetV1c, whose deep 3-conv stem a MoCo / CAST checkpoint cannot fill: this way every
# backbone.* weight of the pretraining checkpoint loads (dilations 2 and 4 in the last two
# stages give output stride 8; weights do not depend on them). Default checkpoint: the CAST
# run of configs/cast/cast_resnet50_8xb32-coslr-200e_coco.py; any other:
#   bash tools/dist_train.sh THIS_CONFIG 4 --pretrained PRETRAIN.pth
# Layout: data/VOCdevkit/VOC2012 with SegmentationClassAug and ImageSets/Segmentation/aug.txt
# (mmseg's tools/dataset_converters/voc_aug.py).
_base_ = 'mmseg::fcn/fcn_r50-d8_4xb4-20k_voc12aug-512x512.py'
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

pretrain_ckpt = 'work_dirs/cast_resnet50_8xb32-coslr-200e_coco/epoch_200.pth'
model = dict(
    pretrained=None,
    backbone=dict(
        type='ResNet',
        init_cfg=dict(type='Pretrained', checkpoint=pretrain_ckpt, prefix='backbone.')))
