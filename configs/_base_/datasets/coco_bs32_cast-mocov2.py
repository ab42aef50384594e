# COCO train2017 with one saliency map per image (CAST used DeepUSPS masks):
# data/coco/train2017/*.jpg and data/coco/saliency/train2017/<stem>.png (255 = salient).
# MoCo v2 augmentation with saliency-constrained crops
# (each keeps at least 20% of the salient pixels).
data_root = 'data/coco/'
view_pipeline = [
    # maps only at 56 px (a quarter of the side): the consumers read the Grad-CAM grid
    # and a key mask that CAST resizes back to the view; the crop's costliest step shrinks
    dict(type='SaliencyConstrainedRandomResizedCrop', scale=224, crop_ratio_range=(0.2, 1.),
         min_salient_fraction=0.2, map_size=56),
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
    # 8-bit maps stay uint8 through the crop (threshold > 127, 8-bit resize) and are packed
    # as float32 in [0, 1]: the float maps' masks up to rounding at their edges, cheaper
    dict(type='LoadSaliencyMap', to_float32=False),
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
        img_dirs='train2017',
        saliency_dir='saliency/train2017',
        missing_saliency='error',
        pipeline=train_pipeline))
