# MoCo v3 self-supervised pretraining of a VARS-D ViT-S/16: mmpretrain's MoCo v3 ViT-S recipe
# (16 GPUs x 256 images, AdamW lr 2.4e-3 per 4096, 40 warm-up + 260 cosine epochs, AMP), with
# the backbone swapped for VARSVisionTransformer. Expects an mmpretrain ImageNet folder at
# $ATTN_DATA_ROOT/imagenet. The checkpoint's `backbone.` weights transfer to the
# classification and segmentation configs beside this one.
_base_ = 'mmpretrain::mocov3/mocov3_vit-small-p16_16xb256-amp-coslr-300e_in1k.py'
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

# mmpretrain's MoCo v3 ViT views, with ColorJitterNumpy2: mmcv 2.1's hue shift fails on
# negative factors under numpy 2.
view_pipeline1 = [
    dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.08, 1.), backend='pillow'),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitterNumpy2', brightness=0.4, contrast=0.4,
                          saturation=0.2, hue=0.1)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.),
    dict(type='Solarize', thr=128, prob=0.),
    dict(type='RandomFlip', prob=0.5),
]
view_pipeline2 = [
    dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.08, 1.), backend='pillow'),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitterNumpy2', brightness=0.4, contrast=0.4,
                          saturation=0.2, hue=0.1)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.1),
    dict(type='Solarize', thr=128, prob=0.2),
    dict(type='RandomFlip', prob=0.5),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=[1, 1], transforms=[view_pipeline1, view_pipeline2]),
    dict(type='PackInputs'),
]
data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/imagenet/'
train_dataloader = dict(
    # Rebuilt: inheriting through `mmpretrain::` tags every dict with `_scope_`, which the
    # runner passes on to the collate function as an argument it does not take.
    collate_fn=dict(_delete_=True, type='default_collate'),
    dataset=dict(data_root=data_root, pipeline=train_pipeline))

model = dict(
    backbone=dict(
        _delete_=True,
        type='VARSVisionTransformer',
        arch='deit-small',
        img_size=224,
        patch_size=16,
        attn_cfgs=dict(dictionary='dynamic', num_steps=5, lam=0.3, rand_feat_ratio=2,
                       solver='lista'),
        init_cfg=[
            dict(type='TruncNormal', layer='Linear', std=.02),
            dict(type='Constant', layer='LayerNorm', val=1., bias=0.),
        ]))
# mmpretrain's 300 epochs, with the loop that resumes inside an epoch.
train_cfg = dict(type='ResumableEpochBasedTrainLoop')
