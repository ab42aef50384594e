# SGD with cosine lr, 200 epochs (MoCo v2 / CAST recipe).
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='SGD', lr=0.03, weight_decay=1e-4, momentum=0.9))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=200, by_epoch=True, begin=0, end=200)]
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=200)
