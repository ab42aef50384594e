# CPU-size sibling of supervised_resnet50_8xb32-100e_in1k.py (row "supervised"): a CIFAR-style
# ResNet-18 (no stem downsampling) on 32x32 single-cell crops of BCCD (RBC / WBC /
# Platelets), SGD with a cosine lr, 10 epochs.
_base_ = [
    '../_base_/models/teacher_classifier_resnet50.py',
    '../_base_/datasets/bccd_crops_cpu.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(type='ResNet_CIFAR', depth=18),
    head=dict(num_classes=3, in_channels=512, topk=(1, )),
    attention_losses=dict(teacher=None))

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=10, by_epoch=True, begin=0, end=10)]
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=10, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=32)

default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=5))
randomness = dict(seed=0)
