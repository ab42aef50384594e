# Row "contrastive + teacher attention" with the teacher run online instead of an offline
# gen_saliency.py pass: OnlineTeacherHook labels each view of each batch with the frozen
# SALICON teacher (trained from scratch). The teacher sees the view's crop, not the whole
# image, and without its colour jitter, grayscale and blur (KeepTeacherView's copy).
# CPU-size sibling: simclr-teacher-attn-online_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py.
_base_ = [
    '../_base_/models/teacher_simclr_resnet50.py',
    '../_base_/datasets/teacher_imagenet_bs32_simclr-online.py',
    '../_base_/schedules/teacher_lars_coslr_200e.py',
    '../_base_/default_runtime.py',
]

teacher_config = ('configs/saliency_teacher/'
                  'saliency-teacher_resnet50_1xb32-adam-20e_salicon-320x240.py')
teacher_checkpoint = ('work_dirs/saliency-teacher_resnet50_1xb32-adam-20e_salicon-320x240/'
                      'epoch_20.pth')
custom_hooks = [
    dict(type='OnlineTeacherHook', teacher=teacher_config, checkpoint=teacher_checkpoint,
         image_key='teacher_img'),
]

train_dataloader = dict(batch_size=256)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3))
