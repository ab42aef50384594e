# SimCLR augmentation (mmpretrain's imagenet_bs32_simclr.py, with ColorJitterNumpy2) on an
# ImageNet-style folder (data/imagenet/train/<class>/*.JPEG, labels unused). For the
# contrastive baseline; teacher maps computed online use teacher_imagenet_bs32_simclr-online.py.
data_root = 'data/imagenet/'
view_pipeline = [
    dict(type='RandomResizedCrop', scale=224, backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
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
    dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    drop_last=True,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='ImageFolder', data_root=data_root, img_dirs='train',
                 pipeline=train_pipeline))
