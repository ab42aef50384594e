# SimCLR augmentation on ImageNet with the teacher's maps from files: tools/gen_saliency.py
# writes one map per image (same file stem) to data/imagenet/saliency_teacher; each of the
# two views carries its own cropped and flipped map.
data_root = 'data/imagenet/'
view_pipeline = [
    # min_salient_fraction=0: a plain RandomResizedCrop that crops the map with the image.
    dict(type='SaliencyConstrainedRandomResizedCrop', scale=224, crop_ratio_range=(0.08, 1.),
         min_salient_fraction=0., backend='pillow'),
    dict(type='SaliencyRandomFlip', prob=0.5),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitterNumpy2', brightness=0.8, contrast=0.8,
                          saturation=0.8, hue=0.2)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.5),
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
    dataset=dict(type='SaliencyImageFolder', data_root=data_root, img_dirs='train',
                 saliency_dir='saliency_teacher', pipeline=train_pipeline))
