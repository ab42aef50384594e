# CAST's released schedule: SGD lr 0.5 (for 256 images per step), cosine, 200 epochs, the
# gradient norm clipped at 2 every step. The CAST table's baselines use it too, so every arm
# trains with the same optimiser.
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='SGD', lr=0.5, weight_decay=1e-4, momentum=0.9),
    clip_grad=dict(max_norm=2))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=200, by_epoch=True, begin=0, end=200)]
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=200)
auto_scale_lr = dict(base_batch_size=256)
