# CPU-size sibling of byol-teacher-attn_resnet50_16xb256-coslr-200e_in1k.py: ResNet-18 with
# BatchNorm, a 512-wide projector and predictor, the attention head on stage 2 (128
# channels, 8x8 at 64 px), the data and schedule of the SimCLR + teacher CPU row
# (simclr-teacher-attn_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py).
_base_ = [
    '../_base_/models/teacher_byol_resnet50.py',
    '../_base_/datasets/teacher_bsds-osie_bs32_two-view-maps_cpu.py',
    '../_base_/datasets/teacher_osie-val_attention-eval_cpu.py',
    '../_base_/schedules/sgd_coslr_200e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512, hid_channels=512),
    head=dict(predictor=dict(hid_channels=512)),
    attention_losses=dict(teacher=dict(layer='backbone.layer2',
                                       attn_head=dict(in_channels=128, hid_channels=64))))
optim_wrapper = dict(optimizer=dict(lr=0.03 * 32 / 256))
auto_scale_lr = dict(base_batch_size=32)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=10, by_epoch=True, begin=0, end=10)]
train_cfg = dict(max_epochs=10, val_interval=10)
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=5))
randomness = dict(seed=0)
