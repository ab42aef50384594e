# Worked example: attn_plugins in an mmseg project of your own, through `custom_imports`.
#
# This file is written as it would live in YOUR project (copy it there): it inherits mmseg's
# own FCN model, runtime and 20k schedule through the `mmseg::` prefix, takes nothing from
# this repository's configs, and pulls the plugin in only with `custom_imports` (so mmseg's
# own `tools/train.py` / `mim train mmseg` can run it; attn_plugins has to be importable,
# e.g. `pip install -e /path/to/attn_plugins`). The plugin gives the backbone: the ResNet of
# mmseg's FCN is replaced (`_delete_=True`) by `VARSVisionTransformer` (VARS-D attention in a
# ViT-S/16; registered in mmseg's MODELS) with one FCN head on its last layer (stride 16).
# The data is CamVid (SegNet release: 11 classes, label 11 = void, ignored) read by mmseg's
# own `BaseSegDataset`. Head, optimizer and data match attn_plugins' benchmark
# configs/vars/fcn_vars-d-vit-small-p16_4xb4-20k_camvid-352x480.py (4 GPUs x 4 crops).
#
# What you change for a set of your own: `data_root`, `metainfo` (class names and colours),
# `num_classes`, `ignore_index`, the folders and split files of the dataloaders, `crop_size`.
#
# Start from a VARS pretraining checkpoint (attn_plugins' configs/vars/vars-d_* or mocov3_*
# runs): set `backbone_checkpoint` below; its ViT weights are the `backbone.*` keys. Or
# export a slim file holding only those weights, prefix stripped (loads with plain torch):
#   python tools/export_backbone.py CKPT work_dirs/vars-d_vit-s_backbone.pth
# and set `backbone_checkpoint` to it with `backbone_prefix = None`. With attn_plugins'
# trainer, `python tools/train.py THIS_CONFIG --pretrained CKPT` does the same.
_base_ = [
    'mmseg::_base_/models/fcn_r50-d8.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_20k.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

backbone_checkpoint = None  # e.g. 'work_dirs/vars-d_vit-small-p16_8xb128-300e_in1k/epoch_300.pth'
backbone_prefix = 'backbone.'  # None for a slim checkpoint from tools/export_backbone.py

crop_size = (352, 480)
num_classes = 11
ignore_index = 11  # CamVid's void label

model = dict(
    pretrained=None,  # mmseg's FCN loads open-mmlab://resnet50_v1c
    data_preprocessor=dict(size=crop_size, seg_pad_val=ignore_index),
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
        init_cfg=dict(type='Pretrained', checkpoint=backbone_checkpoint,
                      prefix=backbone_prefix) if backbone_checkpoint else None),
    decode_head=dict(
        in_channels=384,
        in_index=0,
        channels=256,
        num_classes=num_classes,
        ignore_index=ignore_index,
        loss_decode=dict(avg_non_ignore=True)),
    # The ViT has a single output (out_indices), so no auxiliary head on a middle stage.
    auxiliary_head=None)

# CamVid: train/ and val/ PNG frames (480x360), label maps in trainannot/ and valannot/,
# split lists train.txt / val.txt of file stems.
dataset_type = 'BaseSegDataset'
data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/camvid/'
metainfo = dict(
    classes=('Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree', 'SignSymbol', 'Fence',
             'Car', 'Pedestrian', 'Bicyclist'),
    palette=[[128, 128, 128], [128, 0, 0], [192, 192, 128], [128, 64, 128], [60, 40, 222],
             [128, 128, 0], [192, 128, 128], [64, 64, 128], [64, 0, 128], [64, 64, 0],
             [0, 128, 192]])
img_scale = (480, 360)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=img_scale, ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75,
         ignore_index=ignore_index),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
dataset_cfg = dict(
    type=dataset_type,
    data_root=data_root,
    metainfo=metainfo,
    img_suffix='.png',
    seg_map_suffix='.png',
    ignore_index=ignore_index)
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        **dataset_cfg,
        ann_file='train.txt',
        data_prefix=dict(img_path='train', seg_map_path='trainannot'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        **dataset_cfg,
        ann_file='val.txt',
        data_prefix=dict(img_path='val', seg_map_path='valannot'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'], ignore_index=ignore_index)
test_evaluator = val_evaluator

# ViT fine-tuning: AdamW, no weight decay on norms and embeddings, linear warm-up.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(
        custom_keys={
            'pos_embed': dict(decay_mult=0.),
            'cls_token': dict(decay_mult=0.),
            'norm': dict(decay_mult=0.),
        }))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=1500, end=20000, by_epoch=False),
]
