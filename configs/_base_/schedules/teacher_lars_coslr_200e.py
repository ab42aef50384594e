# SimCLR's schedule (mmpretrain's imagenet_lars_coslr_200e.py): LARS, 10 warm-up epochs,
# cosine to 200 epochs; lr 4.8 for 4096 images per step.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='LARS', lr=4.8, weight_decay=1e-6, momentum=0.9),
    paramwise_cfg=dict(
        custom_keys={
            'bn': dict(decay_mult=0, lars_exclude=True),
            'bias': dict(decay_mult=0, lars_exclude=True),
            'downsample.1': dict(decay_mult=0, lars_exclude=True),
        }))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=190, by_epoch=True, begin=10, end=200),
]
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=200)
auto_scale_lr = dict(base_batch_size=4096)
