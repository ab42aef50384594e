# MoCo v2 pretraining of the shipped teacher's encoder (a ResNet-18 a quarter wide: 16 stem
# channels) on unlabelled photos: BSDS500 (500) + the training images of OSIE (600) and the
# Scene saliency set (400); both fixation sets' held-out images (OSIE 1601-1700, Scene
# 401-500) are left out, so a teacher started from it is scored on images it never saw.
# 96 px views, 30 epochs, on 2 cores in minutes. Used by tools/analysis/teacher_ssl_init.py
# (self-supervised initialisation of the teacher, issue 16). CPU-size sibling of
# mocov2_resnet50_8xb32-coslr-200e_in1k.py.
_base_ = ['./mocov2_resnet18_1xb32-coslr-4e_bsds-osie_cpu.py']
model = dict(
    queue_len=1024,
    backbone=dict(stem_channels=16, base_channels=16),
    neck=dict(in_channels=128, hid_channels=512))
view_pipeline = [
    dict(type='RandomResizedCrop', scale=96, crop_ratio_range=(0.2, 1.), backend='pillow'),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitterNumpy2', brightness=0.4, contrast=0.4,
                          saturation=0.4, hue=0.1)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.5),
    dict(type='RandomFlip', prob=0.5),
]
_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
    dict(type='PackInputs'),
]
_root = '{{$ATTN_DATA_ROOT:../shared/data}}/'
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        ignore_keys=['classes', 'dataset'],
        datasets=[
            dict(type='ImageFolder', data_root=_root, img_dirs=['bsds500/images'],
                 pipeline=_pipeline),
            dict(type='OSIEFixations', data_root=_root + 'osie/', split='train',
                 pipeline=_pipeline),
            dict(type='SceneSaliencyFixations', data_root=_root + 'scene_saliency/',
                 split='train', pipeline=_pipeline),
        ]))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=30, by_epoch=True, begin=0, end=30)]
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=30)
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=10, max_keep_ckpts=1))
