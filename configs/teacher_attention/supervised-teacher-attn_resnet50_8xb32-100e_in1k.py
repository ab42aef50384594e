# Row "supervised + teacher attention": the ResNet-50 classifier plus the attention head on
# stage 3, with the frozen SALICON teacher's map of each training crop computed online:
# L = CE + lambda * KLD(m_p, m_t) - beta * NSS(m_p, p_t).
# CPU-size sibling: supervised-teacher-attn_resnet18_1xb32-coslr-10e_bccd-crops_cpu.py.
_base_ = [
    '../_base_/models/teacher_classifier_resnet50.py',
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/schedules/imagenet_bs256.py',
    '../_base_/default_runtime.py',
]

teacher_config = ('configs/saliency_teacher/'
                  'saliency-teacher_resnet50_1xb32-adam-20e_salicon-320x240.py')
teacher_checkpoint = ('work_dirs/saliency-teacher_resnet50_1xb32-adam-20e_salicon-320x240/'
                      'epoch_20.pth')
custom_hooks = [
    dict(type='OnlineTeacherHook', teacher=teacher_config, checkpoint=teacher_checkpoint),
]
# mmpretrain's schedule with the loop that resumes inside an epoch (by_epoch dropped: the
# runner takes a loop type or by_epoch, not both).
train_cfg = dict(_delete_=True, type='ResumableEpochBasedTrainLoop', max_epochs=100,
                 val_interval=1)
