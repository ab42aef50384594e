# Worked example: CAST self-supervised pretraining in an mmpretrain project of your own,
# through `custom_imports`.
#
# This file is written as it would live in YOUR project (copy it there): it inherits only
# mmpretrain's own runtime and schedule (`mmpretrain::`), takes nothing from this repository's
# configs, and pulls the plugin in only with `custom_imports` (so mmpretrain's own
# `tools/train.py` / `mim train mmpretrain` can run it; attn_plugins has to be importable,
# e.g. `pip install -e /path/to/attn_plugins`). The plugin gives the model (`GuidedMoCo`:
# mmpretrain's MoCo that takes attention-loss plugins, here CAST's Grad-CAM grounding loss),
# the dataset (`SaliencyImageFolder`: images + one saliency map per image, same file stem)
# and the transforms that carry each map through its view.
#
# Two lines every self-supervised model needs and classification configs do not have (a
# config built from a classification one trains only once they are added):
# - model.data_preprocessor = SelfSupDataPreprocessor: it normalises a LIST of views. A
#   classification config's top-level `data_preprocessor` (a ClsDataPreprocessor with
#   num_classes) is not one; and without any, mmpretrain's self-supervised models build a
#   SelfSupDataPreprocessor with no mean/std, which trains on raw 0-255 pixels.
# - train_dataloader.collate_fn = default_collate: it stacks each view into one
#   (B, 3, H, W) tensor. mmengine's default, pseudo_collate, leaves lists of images, which
#   SelfSupDataPreprocessor cannot take.
#
# What you change for your data: `data_root`, `img_dirs` and `saliency_dir` (maps from any
# salient-object detector, `tools/gen_saliency.py` of a saliency teacher, or drop
# LoadSaliencyMap for EstimateSaliency: no maps at all). Here: the 200 BSDS500 training
# photos that have SOD masks.
_base_ = [
    'mmpretrain::_base_/schedules/imagenet_sgd_coslr_200e.py',
    'mmpretrain::_base_/default_runtime.py',
]

custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/bsds500/'

model = dict(
    type='GuidedMoCo',
    queue_len=65536,
    feat_dim=128,
    momentum=0.001,  # mmengine's EMA convention: 1 - 0.999
    algorithm_weight=0.25,
    attention_losses=dict(cast=dict(type='CASTGroundingLoss', loss_weight=0.75)),
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(type='ResNet', depth=50, norm_cfg=dict(type='BN'), zero_init_residual=False),
    neck=dict(type='MoCoV2Neck', in_channels=2048, hid_channels=2048, out_channels=128,
              with_avg_pool=True),
    head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=0.2))

view_pipeline = [
    dict(type='SaliencyConstrainedRandomResizedCrop', scale=224, crop_ratio_range=(0.2, 1.),
         min_salient_fraction=0.2),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitterNumpy2', brightness=0.4, contrast=0.4,
                          saturation=0.4, hue=0.1)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.5),
    dict(type='SaliencyRandomFlip', prob=0.5),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadSaliencyMap'),
    dict(type='SaliencyMultiView', num_views=2, transforms=[view_pipeline]),
    dict(type='PackSaliencyInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    drop_last=True,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='SaliencyImageFolder',
        data_root=data_root,
        img_dirs='images/train',
        saliency_dir='sod_masks',
        missing_saliency='skip',  # photos without a mask are left out (logged)
        pipeline=train_pipeline))

# mmpretrain's MoCo v2 schedule (SGD lr 0.03 for 8 GPUs x 32 images, 200 epochs), scaled to
# your GPUs x batch size with `--auto-scale-lr`.
auto_scale_lr = dict(base_batch_size=256)
