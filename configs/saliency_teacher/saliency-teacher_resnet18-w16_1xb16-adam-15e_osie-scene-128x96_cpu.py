# The lean teacher that ships with the package (attn_plugins/teacher/weights/): a ResNet-18
# a quarter wide (16 stem channels; 0.7M parameters, 1.5 MB in fp16) trained from scratch on
# the 1,000 training images of OSIE and the Scene saliency set at 128x96 for 15 epochs,
# decoder at stride 8 on stages 2-4. CPU-size sibling of
# saliency-teacher_resnet50_1xb32-adam-20e_osie-scene-320x240.py. Train it, then export the
# shipped weights:
#   python tools/train.py <this config>
#   python tools/export_teacher.py <this config> work_dirs/<this config's name>/epoch_15.pth
_base_ = [
    '../_base_/models/saliency_teacher_resnet50.py',
    '../_base_/datasets/saliency_teacher_osie-scene_cpu.py',
    '../_base_/schedules/saliency_teacher_adam_20e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(depth=18, stem_channels=16, base_channels=16),
    decoder=dict(in_channels=(32, 64, 128), channels=32))

param_scheduler = [dict(type='CosineAnnealingLR', T_max=15, by_epoch=True, begin=0, end=15)]
train_cfg = dict(max_epochs=15, val_interval=5)

default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=5))
randomness = dict(seed=0)
