# CPU-size sibling of supervised-teacher-attn_resnet50_8xb32-100e_in1k.py: the CIFAR-style
# ResNet-18 classifier of BCCD crops plus the attention head on stage 3 (256 channels, 8x8),
# with the CPU teacher's map of each 32x32 training crop computed online. Train the teacher
# first: python tools/train.py \
#     configs/saliency_teacher/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py
_base_ = [
    '../_base_/models/teacher_classifier_resnet50.py',
    '../_base_/datasets/bccd_crops_cpu.py',
    '../_base_/default_runtime.py',
]

teacher_config = ('configs/saliency_teacher/'
                  'saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py')
teacher_checkpoint = ('work_dirs/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu/'
                      'epoch_10.pth')
custom_hooks = [
    dict(type='OnlineTeacherHook', teacher=teacher_config, checkpoint=teacher_checkpoint),
]

model = dict(
    backbone=dict(type='ResNet_CIFAR', depth=18),
    head=dict(num_classes=3, in_channels=512, topk=(1, )),
    attention_losses=dict(teacher=dict(attn_head=dict(in_channels=256, hid_channels=64))))

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
