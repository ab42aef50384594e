# CPU-size sibling of fcn_vars-d-vit-small-p16_4xb4-20k_camvid-352x480.py: the same FCN on a
# VARS-D ViT (96 wide, 4 layers, 3 heads, 8x8 patches), BN instead of SyncBN, 96x128 crops of
# CamVid, 200 iterations. Randomly initialised; to start from a pretrained backbone (e.g. the
# CPU classification or MoCo v3 run), add to --cfg-options:
#   model.backbone.init_cfg._delete_=True model.backbone.init_cfg.type=Pretrained
#   model.backbone.init_cfg.checkpoint=PATH model.backbone.init_cfg.prefix=backbone.
_base_ = './fcn_vars-d-vit-small-p16_4xb4-20k_camvid-352x480.py'
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

crop_size = (96, 128)
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(
        arch=dict(_delete_=True, embed_dims=96, num_layers=4, num_heads=3,
                  feedforward_channels=384),
        img_size=crop_size,
        patch_size=8,
        out_indices=(3, ),
        drop_path_rate=0.0,
        init_cfg=None),
    decode_head=dict(in_channels=96, channels=64, num_convs=1, norm_cfg=norm_cfg))

img_scale = (160, 120)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=img_scale, ratio_range=(0.75, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75, ignore_index=11),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(batch_size=8, num_workers=2, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(num_workers=2, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=20),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=20, end=200, by_epoch=False),
]
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_iters=200, val_interval=100)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=100),
    visualization=dict(draw=False))
randomness = dict(seed=0)
