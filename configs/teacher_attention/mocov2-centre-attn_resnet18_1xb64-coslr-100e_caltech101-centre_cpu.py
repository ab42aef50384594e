# Control arm for mocov2-teacher-attn_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py:
# the same model, attention head, loss and views, trained toward a map with no content, the
# centre prior of each image (a Gaussian of 0.25 of each side, the centre bias every saliency
# score is compared with), cropped and flipped with its view like the teacher's maps. If
# teacher attention beats MoCo v2 and this arm does as well, the gain comes from predicting a
# spatial map at all, not from where people look. Needs no maps on disk.
_base_ = './mocov2-teacher-attn_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py'

# the teacher arm's views (a test checks they are the same): MoCo v2's crop carrying the map
# (no saliency constraint), its colour, grey and blur steps, and a flip of both
centre_prior_views = [
    dict(type='SaliencyConstrainedRandomResizedCrop', scale=64, crop_ratio_range=(0.2, 1.),
         map_size=16, backend='pillow', min_salient_fraction=0.),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitterNumpy2', brightness=0.4, contrast=0.4,
                          saturation=0.4, hue=0.1)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.5),
    dict(type='SaliencyRandomFlip', prob=0.5),
]
train_dataloader = dict(dataset=dict(
    _delete_=True,  # an ImageFolder of the same images: no saliency folder to read
    type='ImageFolder',
    data_root={{_base_.data_root}},
    img_dirs=['caltech101/images'],
    ann_file='caltech101/train.txt',
    pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='EstimateSaliency', method='center_bias'),
        dict(type='SaliencyMultiView', num_views=2, transforms=[centre_prior_views]),
        dict(type='PackSaliencyInputs'),
    ]))
