# CPU-size sibling of simclr_resnet50_16xb256-coslr-200e_in1k.py (row "contrastive"):
# ResNet-18, two 64 px views of the BSDS500 + OSIE-train photos, SGD, 10 epochs (~340
# iterations) on 2 cores.
_base_ = [
    '../_base_/models/teacher_simclr_resnet50.py',
    '../_base_/datasets/teacher_bsds-osie_bs32_two-view_cpu.py',
    '../_base_/schedules/sgd_coslr_200e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512, hid_channels=512),
    attention_losses=dict(teacher=None))

# SimCLR's linear lr scaling (0.3 per 256 images), with SGD instead of LARS at this batch.
optim_wrapper = dict(optimizer=dict(lr=0.3 * 32 / 256))
auto_scale_lr = dict(base_batch_size=32)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=10, by_epoch=True, begin=0, end=10)]
train_cfg = dict(max_epochs=10)

default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=5))
randomness = dict(seed=0)
