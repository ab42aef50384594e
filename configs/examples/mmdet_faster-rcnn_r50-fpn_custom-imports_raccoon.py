# Worked example: attn_plugins in an mmdet project of your own, through `custom_imports`.
#
# This file is written as it would live in YOUR project (copy it there): it inherits mmdet's
# own Faster R-CNN R50-FPN 1x config through the `mmdet::` prefix, takes nothing from this
# repository's configs, and pulls the plugin in only with `custom_imports` (so mmdet's own
# `tools/train.py` / `mim train mmdet` can run it; attn_plugins has to be importable, e.g.
# `pip install -e /path/to/attn_plugins`). The plugin gives the dataset: `VOCFormatDataset`,
# registered in mmdet's DATASETS, reads any Pascal-VOC-format set with class names from the
# config and the split as a VOC id list or a CSV file (here the raccoon photos: VOC XML in
# annotations/, images in images/, split in train_labels.csv / test_labels.csv).
#
# What you change for a set of your own: `data_root`, `classes`, the split files
# (`ann_file`) and the folder names (`img_subdir`, `ann_subdir`; the defaults 'JPEGImages' /
# 'Annotations' fit a VOCdevkit layout). num_classes follows `classes`.
#
# Start from a CAST / MoCo pretraining checkpoint instead of mmdet's ImageNet weights
# (torchvision://resnet50): the ResNet-50 weights of such a checkpoint are its `backbone.*`
# keys, so add to `model` below
#   backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=CKPT, prefix='backbone.'))
# with CKPT e.g. 'work_dirs/cast_resnet50_8xb32-coslr-200e_coco/epoch_200.pth'; or, with
# attn_plugins' trainer, `python tools/train.py THIS_CONFIG --pretrained CKPT`. A slim file
# holding only the backbone weights, prefix stripped (loads with plain torch):
#   python tools/export_backbone.py CKPT work_dirs/cast_r50_backbone.pth
# then init_cfg=dict(type='Pretrained', checkpoint='work_dirs/cast_r50_backbone.pth')
# (no prefix), or `python tools/train.py THIS_CONFIG --pretrained SLIM --pretrained-prefix ''`.
#
# Model and schedule are mmdet's (12 epochs, SGD lr 0.02 for 8 GPUs x 2 images); the lr is
# scaled to your GPUs x batch size by `auto_scale_lr` below.
_base_ = 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'

custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/raccoon/'
classes = ('raccoon', )
dataset_type = 'VOCFormatDataset'
split_format = dict(img_subdir='images', ann_subdir='annotations')

model = dict(roi_head=dict(bbox_head=dict(num_classes=len(classes))))

# mmdet's Pascal VOC pipelines (mmdet::_base_/datasets/voc0712.py).
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(1000, 600), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(1000, 600), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,  # drop the COCO dataset of the base config
        type=dataset_type,
        data_root=data_root,
        metainfo=dict(classes=classes),
        ann_file='train_labels.csv',
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline=train_pipeline,
        **split_format))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        metainfo=dict(classes=classes),
        ann_file='test_labels.csv',
        test_mode=True,
        pipeline=test_pipeline,
        **split_format))
test_dataloader = val_dataloader

# Pascal VOC mAP at IoU 0.5, area under the precision-recall curve (VOC2010+).
val_evaluator = dict(_delete_=True, type='VOCMetric', metric='mAP', eval_mode='area')
test_evaluator = val_evaluator

auto_scale_lr = dict(enable=True, base_batch_size=16)
