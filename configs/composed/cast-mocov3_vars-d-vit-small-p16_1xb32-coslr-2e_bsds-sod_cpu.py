# CPU-size sibling of cast-mocov3_vars-d-vit-small-p16_16xb256-amp-coslr-300e_in1k.py: the
# same CAST + MoCo v3 + VARS-D ViT, at the size of the MoCo v3 VARS CPU sibling (96 wide, 4
# layers, 4x4 patches, 32x32 views: an 8 x 8 token grid), in full precision, on the 200
# BSDS500 photos with SOD masks for 2 epochs.
_base_ = ['./cast-mocov3_vars-d-vit-small-p16_16xb256-amp-coslr-300e_in1k.py']
model = dict(
    backbone=dict(
        arch=dict(_delete_=True, embed_dims=96, num_layers=4, num_heads=3,
                  feedforward_channels=384),
        img_size=32,
        patch_size=4),
    neck=dict(in_channels=96, hid_channels=256, out_channels=64),
    head=dict(predictor=dict(in_channels=64, hid_channels=256, out_channels=64)),
    attention_losses=dict(cast=dict(layer='backbone.layers.3.ln1')))
# The full recipe's views at 32 px.
view_pipeline1 = [
    dict(type='SaliencyConstrainedRandomResizedCrop', scale=32, crop_ratio_range=(0.08, 1.),
         min_salient_fraction=0.2, backend='pillow'),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitterNumpy2', brightness=0.4, contrast=0.4,
                          saturation=0.2, hue=0.1)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.),
    dict(type='Solarize', thr=128, prob=0.),
    dict(type='SaliencyRandomFlip', prob=0.5),
]
view_pipeline2 = [
    dict(type='SaliencyConstrainedRandomResizedCrop', scale=32, crop_ratio_range=(0.08, 1.),
         min_salient_fraction=0.2, backend='pillow'),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitterNumpy2', brightness=0.4, contrast=0.4,
                          saturation=0.2, hue=0.1)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.1),
    dict(type='Solarize', thr=128, prob=0.2),
    dict(type='SaliencyRandomFlip', prob=0.5),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    pin_memory=False,
    dataset=dict(
        data_root='{{$ATTN_DATA_ROOT:../shared/data}}/bsds500/',
        img_dirs='images/train',
        saliency_dir='sod_masks',
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadSaliencyMap'),
            dict(type='SaliencyMultiView', num_views=[1, 1],
                 transforms=[view_pipeline1, view_pipeline2]),
            dict(type='PackSaliencyInputs'),
        ]))
# Full precision (AMP needs a GPU); a CPU-size lr instead of the 4096-batch one.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.1))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=1, by_epoch=True, begin=1, end=2,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=2)
auto_scale_lr = dict(base_batch_size=32)
default_hooks = dict(logger=dict(interval=10))
randomness = dict(seed=0)
