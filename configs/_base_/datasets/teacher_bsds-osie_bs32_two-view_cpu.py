# CPU-size student data without map files: BSDS500 (500) + OSIE's training split (600)
# photos, two 64 px views with MoCo v2 augmentation. For the contrastive baseline; teacher
# maps computed online use teacher_bsds-osie_bs32_two-view-online_cpu.py, which also keeps
# each view's un-jittered crop for the teacher. OSIE's held-out images 1601-1700 are left
# out, as in the other student sets. Override the root with ATTN_DATA_ROOT=/path.
data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/'

view_pipeline = [
    dict(type='RandomResizedCrop', scale=64, crop_ratio_range=(0.2, 1.), backend='pillow'),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitterNumpy2', brightness=0.4, contrast=0.4,
                          saturation=0.4, hue=0.1)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.5),
    dict(type='RandomFlip', prob=0.5),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    drop_last=True,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='ConcatDataset',
        datasets=[
            dict(type='ImageFolder', data_root=data_root, img_dirs='bsds500/images',
                 pipeline=train_pipeline),
            # Only its images are used here; the split keeps 1601-1700 held out.
            dict(type='OSIEFixations', data_root=data_root + 'osie/', split='train',
                 pipeline=train_pipeline),
        ]))
