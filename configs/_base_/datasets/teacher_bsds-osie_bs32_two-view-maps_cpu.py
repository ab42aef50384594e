# CPU-size student data with teacher maps from files: BSDS500 (500) + OSIE's training split
# (600) photos, each with the map tools/gen_saliency.py wrote for it (same file stem) in
# work_dirs/teacher_maps/bsds-osie-train; OSIE's held-out images 1601-1700 have no map there
# and are left out (missing_saliency='skip'). Two 64 px views with MoCo v2 augmentation, each
# carrying its own cropped and flipped teacher map. Change the images with ATTN_DATA_ROOT or
# --cfg-options "train_dataloader.dataset.img_dirs=[...]", the maps with
# train_dataloader.dataset.saliency_dir=DIR.
data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/'
maps_root = 'work_dirs/teacher_maps/'

view_pipeline = [
    # min_salient_fraction=0: a plain RandomResizedCrop that crops the map with the image.
    dict(type='SaliencyConstrainedRandomResizedCrop', scale=64, crop_ratio_range=(0.2, 1.),
         min_salient_fraction=0., backend='pillow'),
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
    num_workers=2,
    drop_last=True,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='SaliencyImageFolder',
        img_dirs=[data_root + 'bsds500/images', data_root + 'osie/images'],
        saliency_dir=maps_root + 'bsds-osie-train',
        missing_saliency='skip',
        pipeline=train_pipeline))
