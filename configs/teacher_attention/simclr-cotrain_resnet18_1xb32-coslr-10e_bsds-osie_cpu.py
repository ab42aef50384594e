# CPU-size sibling of simclr-cotrain_resnet50_16xb256-coslr-200e_in1k-salicon.py: ResNet-18,
# the attention head trained on OSIE-train's human fixations directly (BSDS500 images only
# train NT-Xent), scored on OSIE's held-out images.
_base_ = [
    '../_base_/models/teacher_simclr_resnet50.py',
    '../_base_/datasets/teacher_bsds-osie_bs32_two-view-human_cpu.py',
    '../_base_/datasets/teacher_osie-val_attention-eval_cpu.py',
    '../_base_/schedules/sgd_coslr_200e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512, hid_channels=512),
    attention_losses=dict(teacher=dict(layer='backbone.layer2',
                                       attn_head=dict(in_channels=128, hid_channels=64),
                                       target_key='fixation_density',
                                       fixation_key='fixation_map')))

optim_wrapper = dict(optimizer=dict(lr=0.3 * 32 / 256))
auto_scale_lr = dict(base_batch_size=32)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=10, by_epoch=True, begin=0, end=10)]
train_cfg = dict(max_epochs=10, val_interval=10)

default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=5))
randomness = dict(seed=0)
