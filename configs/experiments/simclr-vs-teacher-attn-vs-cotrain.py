# Full scale of simclr-vs-teacher-attn-vs-cotrain_cpu.py: ResNet-50 SimCLR on ImageNet (16
# GPUs x 256, LARS, 200 epochs), the SALICON teacher (ResNet-50) labelling ImageNet into
# data/imagenet/saliency_teacher. Configs only: untested at this scale.
_base_ = ['./simclr-vs-teacher-attn-vs-cotrain_cpu.py']
_teacher = 'configs/saliency_teacher/saliency-teacher_resnet50_1xb32-adam-20e_salicon-320x240.py'
_teacher_ckpt = 'work_dirs/saliency-teacher_resnet50_1xb32-adam-20e_salicon-320x240/epoch_20.pth'
name = 'simclr-vs-teacher-attn-vs-cotrain'
description = ('SimCLR vs SimCLR + teacher attention vs co-training vs the centre-prior '
               'control (ResNet-50, ImageNet, 200 epochs).')
prerequisites = [
    dict(name='teacher', command=['tools/train.py', _teacher], creates=_teacher_ckpt),
    dict(name='teacher-maps',
         command=['tools/gen_saliency.py', _teacher, _teacher_ckpt, '--out-dir',
                  'data/imagenet/saliency_teacher', '--images', 'data/imagenet/train'],
         creates='data/imagenet/saliency_teacher'),
]
_simclr = 'configs/teacher_attention/simclr_resnet50_16xb256-coslr-200e_in1k.py'
results_dir = None  # the CPU spec's kept runs are not this scale's
arms = [
    dict(name='random', config=_simclr, checkpoint='random'),
    dict(name='simclr', config=_simclr),
    dict(name='teacher-attn', config='configs/teacher_attention/'
         'simclr-teacher-attn_resnet50_16xb256-coslr-200e_in1k.py'),
    dict(name='cotrain', config='configs/teacher_attention/'
         'simclr-cotrain_resnet50_16xb256-coslr-200e_in1k-salicon.py'),
    dict(name='centre-attn',
         config='configs/teacher_attention/simclr-centre-attn_resnet50_16xb256-coslr-200e_in1k.py'),
]
evaluation = dict(tasks=['linear', 'knn', 'fewshot', 'corruption', 'fixations', 'attention'],
                  args=['--size', '224', '--batch-size', '128'])
