# Full scale of supervised-vs-teacher_cpu.py: ResNet-50 ImageNet classifiers (8 GPUs x 32,
# 100 epochs), the SALICON teacher online; ImageNet val accuracy and frozen-feature tasks at
# 224 px. Configs only: untested at this scale.
_base_ = ['./supervised-vs-teacher_cpu.py']
_teacher = 'configs/saliency_teacher/saliency-teacher_resnet50_1xb32-adam-20e_salicon-320x240.py'
name = 'supervised-vs-teacher'
description = 'Supervised vs supervised + teacher attention (ResNet-50, ImageNet, 100 epochs).'
prerequisites = [
    dict(name='teacher', command=['tools/train.py', _teacher], creates=(
        'work_dirs/saliency-teacher_resnet50_1xb32-adam-20e_salicon-320x240/epoch_20.pth')),
]
arms = [
    dict(name='supervised',
         config='configs/teacher_attention/supervised_resnet50_8xb32-100e_in1k.py'),
    dict(name='supervised-teacher',
         config='configs/teacher_attention/supervised-teacher-attn_resnet50_8xb32-100e_in1k.py'),
]
evaluation = dict(tasks=['linear', 'knn', 'corruption', 'grounding', 'fixations'],
                  args=['--size', '224', '--batch-size', '128'], test=True)
