# The teacher-attention paper's supervised row "+ teacher attention" at the Caltech-101 CPU
# scale: a ResNet-18 classifier trained from scratch on Caltech-101's labelled train split at
# 64 px (30 epochs, SGD with a cosine lr) plus the attention head on stage 3 (256 channels,
# 4x4), trained on the shipped default teacher's map of each training crop, computed online
# (the crop and flip carry no colour change, so the teacher labels the inputs themselves).
# Its baseline, supervised_resnet18_1xb64-coslr-30e_caltech101-64px_cpu.py, is this config
# without the loss and the hook.
_base_ = [
    '../_base_/models/teacher_classifier_resnet50.py',
    '../_base_/datasets/caltech101_bs64_64px_cpu.py',
    '../_base_/default_runtime.py',
]

custom_hooks = [dict(type='OnlineTeacherHook', teacher='default')]
model = dict(
    backbone=dict(depth=18),
    head=dict(num_classes=101, in_channels=512),
    attention_losses=dict(teacher=dict(attn_head=dict(in_channels=256, hid_channels=64))))

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=30, by_epoch=True, begin=0, end=30)]
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=30, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=64)

default_hooks = dict(logger=dict(interval=25), checkpoint=dict(interval=1, max_keep_ckpts=1))
randomness = dict(seed=0)
