# CPU-size CAST schedule: the released lr 0.5 per 256 images, linearly scaled to 32; cosine
# over 30 epochs (6 iterations each on the 200 BSDS500 train photos); the gradient norm
# clipped at 2 every step, as released.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.5 * 32 / 256, weight_decay=1e-4, momentum=0.9),
    clip_grad=dict(max_norm=2))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=30, by_epoch=True, begin=0, end=30)]
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=30)
auto_scale_lr = dict(base_batch_size=256)
