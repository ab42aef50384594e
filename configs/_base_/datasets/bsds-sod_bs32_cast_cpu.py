# CPU-size: the 200 BSDS500 train photos that have SOD masks (Movahedi & Elder), at 96 px;
# the 100 val photos with masks stay held out for evaluating attention.
# MoCo v1 augmentation with saliency-constrained crops.
# Override the root with ATTN_DATA_ROOT=/path or --cfg-options
# train_dataloader.dataset.data_root=/path/bsds500/
data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/bsds500/'
view_pipeline = [
    # maps only at 24 px (a quarter of the side): the consumers read the Grad-CAM grid
    # and a key mask that CAST resizes back to the view; the crop's costliest step shrinks
    dict(type='SaliencyConstrainedRandomResizedCrop', scale=96, crop_ratio_range=(0.2, 1.),
         min_salient_fraction=0.2, map_size=24),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    # the release applies its colour jitter to half of the views
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitterNumpy2', brightness=0.4, contrast=0.4,
                          saturation=0.4, hue=0.4)],
         prob=0.5),
    dict(type='SaliencyRandomFlip', prob=0.5),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    # 8-bit maps stay uint8 through the crop (threshold > 127, 8-bit resize) and are packed
    # as float32 in [0, 1]: the float maps' masks up to rounding at their edges, cheaper
    dict(type='LoadSaliencyMap', to_float32=False),
    dict(type='SaliencyMultiView', num_views=2, transforms=[view_pipeline]),
    dict(type='PackSaliencyInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    drop_last=True,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='SaliencyImageFolder',
        data_root=data_root,
        img_dirs='images/train',
        saliency_dir='sod_masks',
        missing_saliency='skip',
        pipeline=train_pipeline))
