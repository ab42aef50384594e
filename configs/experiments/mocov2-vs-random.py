# Full scale of mocov2-vs-random_cpu.py: MoCo v2 ResNet-50, 200 epochs on ImageNet (8 GPUs),
# against random weights; all five frozen-feature tasks at 224 px. Configs only: untested at
# this scale.
_base_ = ['./mocov2-vs-random_cpu.py']
name = 'mocov2-vs-random'
description = 'MoCo v2 ResNet-50 (ImageNet, 200 epochs) against random weights.'
arms = [
    dict(name='random', checkpoint='random',
         config='configs/mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py'),
    dict(name='mocov2', config='configs/mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py'),
]
evaluation = dict(tasks=['linear', 'knn', 'fewshot', 'corruption', 'grounding'],
                  args=['--size', '224', '--batch-size', '128'])
metrics = ['linear/top1', 'knn/top1', 'fewshot/10shot', 'corruption/mean15', 'grounding/nss']
