# Adam, lr 1e-3 with a cosine decay over 20 epochs: the teacher's schedule.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=20, by_epoch=True, begin=0, end=20)]
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=20, val_interval=5)
val_cfg = dict()
test_cfg = dict()
