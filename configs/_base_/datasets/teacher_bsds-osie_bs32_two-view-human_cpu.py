# CPU-size co-training data: the attention head learns from human fixations directly.
# BSDS500 (500 photos, no fixations: all-zero targets, left out of the attention loss) +
# OSIE's training split (600 photos with the fixations of 15 observers, blurred by one degree
# into a density at 800x600). Two 64 px views with MoCo v2 augmentation, each carrying its own
# cropped and flipped density and fixations. Override the root with ATTN_DATA_ROOT=/path.
data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/'

view_pipeline = [
    # No saliency map here: an all-zero one (AddEmptyMaps) makes this a plain
    # RandomResizedCrop that crops the density and fixations with the image.
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
views = [
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
        type='ConcatDataset',
        datasets=[
            dict(type='ImageFolder', data_root=data_root, img_dirs='bsds500/images',
                 pipeline=[
                     dict(type='LoadImageFromFile'),
                     dict(type='AddEmptyMaps',
                          keys=('saliency', 'fixation_density', 'fixation_points')),
                     *views,
                 ]),
            dict(type='OSIEFixations', data_root=data_root + 'osie/', split='train',
                 pipeline=[
                     dict(type='LoadImageFromFile'),
                     dict(type='FixationsToDensity', sigma_deg=1.0, pixels_per_degree=24.0),
                     dict(type='AddEmptyMaps', keys=('saliency', )),
                     *views,
                 ]),
        ]))
