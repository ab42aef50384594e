# Full scale of teacher-attn-vs-centre-prior_cpu.py: MoCo v2 ResNet-50 on ImageNet, 200 epochs
# (8 GPUs), with the attention head on the teacher's maps of ImageNet or on each image's
# centre prior; evaluated as mocov2-vs-teacher-attn.py. Configs only: untested at this scale.
_base_ = ['./teacher-attn-vs-centre-prior_cpu.py']
name = 'teacher-attn-vs-centre-prior'
description = ('MoCo v2 + teacher attention vs the same head on a centre prior (ResNet-50, '
               'ImageNet, 200 epochs).')
prerequisites = []  # the teacher's ImageNet maps are the dataset config's
results_dir = None  # the CPU spec's kept runs are not this scale's
arms = [
    dict(name='random', checkpoint='random',
         config='configs/mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py'),
    dict(name='mocov2', config='configs/mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py'),
    dict(name='teacher-attn',
         config='configs/teacher_attention/mocov2-teacher-attn_resnet50_8xb32-coslr-200e_in1k.py'),
    dict(name='centre-attn',
         config='configs/teacher_attention/mocov2-centre-attn_resnet50_8xb32-coslr-200e_in1k.py'),
]
evaluation = dict(
    tasks=['linear', 'knn', 'fewshot', 'corruption', 'grounding', 'fixations'],
    args=['--size', '224', '--batch-size', '128'])
