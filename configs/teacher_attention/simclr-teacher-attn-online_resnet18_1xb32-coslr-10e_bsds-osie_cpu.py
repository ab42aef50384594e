# CPU-size sibling of simclr-teacher-attn-online_resnet50_16xb256-coslr-200e_in1k.py: as
# simclr-teacher-attn_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py, but OnlineTeacherHook runs
# the CPU teacher on each 64 px view instead of reading map files: on the view's un-jittered
# crop (KeepTeacherView), not on the colour-jittered, blurred image the student gets. Train the
# teacher first:
# python tools/train.py \
#     configs/saliency_teacher/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py
_base_ = [
    '../_base_/models/teacher_simclr_resnet50.py',
    '../_base_/datasets/teacher_bsds-osie_bs32_two-view-online_cpu.py',
    '../_base_/datasets/teacher_osie-val_attention-eval_cpu.py',
    '../_base_/schedules/sgd_coslr_200e.py',
    '../_base_/default_runtime.py',
]

teacher_config = ('configs/saliency_teacher/'
                  'saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py')
teacher_checkpoint = ('work_dirs/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu/'
                      'epoch_10.pth')
custom_hooks = [
    dict(type='OnlineTeacherHook', teacher=teacher_config, checkpoint=teacher_checkpoint,
         image_key='teacher_img'),
]

model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512, hid_channels=512),
    attention_losses=dict(teacher=dict(layer='backbone.layer2',
                                       attn_head=dict(in_channels=128, hid_channels=64))))

optim_wrapper = dict(optimizer=dict(lr=0.3 * 32 / 256))
auto_scale_lr = dict(base_batch_size=32)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=10, by_epoch=True, begin=0, end=10)]
train_cfg = dict(max_epochs=10, val_interval=10)

default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=5))
randomness = dict(seed=0)
