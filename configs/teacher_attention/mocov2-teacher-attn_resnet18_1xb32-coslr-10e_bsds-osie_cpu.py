# CPU-size sibling of mocov2-teacher-attn_resnet50_8xb32-coslr-200e_in1k.py: ResNet-18, the
# attention head on stage 2 of the query view, teacher maps from
# work_dirs/teacher_maps/bsds-osie-train (its contrastive baseline:
# configs/mocov2/mocov2_resnet18_1xb32-coslr-4e_bsds-osie_cpu.py).
_base_ = [
    '../_base_/models/teacher_mocov2_resnet50.py',
    '../_base_/datasets/teacher_bsds-osie_bs32_two-view-maps_cpu.py',
    '../_base_/datasets/teacher_osie-val_attention-eval_cpu.py',
    '../_base_/schedules/sgd_coslr_200e.py',
    '../_base_/default_runtime.py',
]

# The queue length must be a multiple of the batch size, and stay below the number of
# images (1,100) so it does not fill with keys of the query's own image.
model = dict(
    queue_len=1024,
    backbone=dict(depth=18),
    neck=dict(in_channels=512, hid_channels=512),
    attention_losses=dict(teacher=dict(layer='backbone.layer2',
                                       attn_head=dict(in_channels=128, hid_channels=64))))

# Linear lr scaling from the full recipe (0.03 at 256 images per step).
optim_wrapper = dict(optimizer=dict(lr=0.03 * 32 / 256))
auto_scale_lr = dict(base_batch_size=256)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=10, by_epoch=True, begin=0, end=10)]
train_cfg = dict(max_epochs=10, val_interval=10)

default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=5))
randomness = dict(seed=0)
