# CPU-size teacher: ResNet-18 trained from scratch (no weights can be downloaded here) on
# OSIE's 600 training images at 128x96 for 10 epochs (380 iterations), validated on the 100
# held-out images (1601-1700) against the center-bias baseline. Sibling of
# saliency-teacher_resnet50_1xb32-adam-20e_salicon-320x240.py.
_base_ = [
    '../_base_/models/saliency_teacher_resnet50.py',
    '../_base_/datasets/saliency_teacher_osie_cpu.py',
    '../_base_/schedules/saliency_teacher_adam_20e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(depth=18, init_cfg=None),
    decoder=dict(in_channels=(128, 256, 512), channels=64))

param_scheduler = [dict(type='CosineAnnealingLR', T_max=10, by_epoch=True, begin=0, end=10)]
train_cfg = dict(max_epochs=10, val_interval=5)

default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=5))
randomness = dict(seed=0)
