# Co-training on human labels at full scale: ImageNet images (no fixations: all-zero targets,
# left out of the attention loss) + SALICON-format training images with their fixations
# (blurred by 19 px at 640x480), SimCLR augmentation; each view carries its own cropped and
# flipped density and fixations. SALICON is under 1% of the images; repeat it
# (dict(type='RepeatDataset', times=N, dataset=...)) for more labelled samples per batch.
imagenet_root = 'data/imagenet/'
salicon_root = 'data/salicon/'
view_pipeline = [
    # No saliency map here: an all-zero one (AddEmptyMaps) makes this a plain
    # RandomResizedCrop that crops the density and fixations with the image.
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
views = [
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
        type='ConcatDataset',
        datasets=[
            dict(type='ImageFolder', data_root=imagenet_root, img_dirs='train',
                 pipeline=[
                     dict(type='LoadImageFromFile'),
                     dict(type='AddEmptyMaps',
                          keys=('saliency', 'fixation_density', 'fixation_points')),
                     *views,
                 ]),
            dict(type='SALICONFixations', data_root=salicon_root, img_dir='images/train',
                 fixations_file='fixations/fixations_train2014.json',
                 pipeline=[
                     dict(type='LoadImageFromFile'),
                     dict(type='FixationsToDensity', sigma_px=19.0),
                     dict(type='AddEmptyMaps', keys=('saliency', )),
                     *views,
                 ]),
        ]))
