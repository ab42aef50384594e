# CPU-size sibling of mocov2_resnet50_8xb32-coslr-200e_in1k.py: ResNet-18 at 64 px on the
# 1,200 BSDS500 + OSIE photos, 4 epochs (~150 iterations) in minutes on 2 cores.
_base_ = [
    '../_base_/models/mocov2_resnet50.py',
    '../_base_/datasets/bsds-osie_bs32_mocov2_cpu.py',
    '../_base_/schedules/sgd_coslr_200e.py',
    '../_base_/default_runtime.py',
]

# The queue length must be a multiple of the batch size, and stay below the number of
# images (1,200) so it does not fill with keys of the query's own image.
model = dict(
    queue_len=1024,
    backbone=dict(depth=18),
    neck=dict(in_channels=512, hid_channels=512))

# Linear lr scaling from the full recipe (0.03 at 256 images per step).
optim_wrapper = dict(optimizer=dict(lr=0.03 * 32 / 256))
auto_scale_lr = dict(base_batch_size=256)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=4, by_epoch=True, begin=0, end=4)]
train_cfg = dict(max_epochs=4)

default_hooks = dict(logger=dict(interval=10))
randomness = dict(seed=0)
