# The teacher-attention paper's supervised rows at CPU scale: a classifier (baseline) and the
# same classifier + an attention head on the frozen teacher's online maps (CIFAR-style
# ResNet-18 on 32 px BCCD cell crops, 10 epochs). Scored on the config's own test set
# (accuracy) and by the frozen-feature tasks on Caltech-101 at 32 px (the paper reports
# linear and corruption accuracy). The prerequisite trains the CPU teacher on OSIE.
#   python tools/analysis/harness.py configs/experiments/supervised-vs-teacher_cpu.py
_teacher = 'configs/saliency_teacher/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py'
name = 'supervised-vs-teacher_cpu'
description = ('Supervised vs supervised + teacher attention (CIFAR ResNet-18, BCCD cell '
               'crops, 10 epochs).')
baseline = 'supervised'
seeds = [0, 1, 2]
cfg_options = dict()
prerequisites = [
    dict(name='teacher', command=['tools/train.py', _teacher], creates=(
        'work_dirs/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu/epoch_10.pth')),
]
arms = [
    dict(name='supervised', config='configs/teacher_attention/'
         'supervised_resnet18_1xb32-coslr-10e_bccd-crops_cpu.py'),
    dict(name='supervised-teacher', config='configs/teacher_attention/'
         'supervised-teacher-attn_resnet18_1xb32-coslr-10e_bccd-crops_cpu.py'),
]
evaluation = dict(tasks=['linear', 'knn', 'corruption'], args=['--size', '32'], test=True)
metrics = ['test/accuracy/top1', 'linear/top1', 'corruption/mean_reported',
           'corruption/mean15', 'corruption/mce']
