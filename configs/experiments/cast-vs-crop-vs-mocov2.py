# Full scale of cast-vs-crop-vs-mocov2_cpu.py: ResNet-50, COCO train2017 with saliency masks,
# 200 epochs on 8 GPUs; evaluation at 224 px. Configs only: untested at this scale. (The
# paper's own transfer benchmarks are configs/benchmarks/mmdetection and
# configs/benchmarks/classification.)
_base_ = ['./cast-vs-crop-vs-mocov2_cpu.py']
name = 'cast-vs-crop-vs-mocov2'
description = 'CAST vs saliency crops only vs MoCo v2 (ResNet-50, COCO, 200 epochs).'
prerequisites = []  # COCO's saliency maps are the dataset config's
arms = [
    dict(name='mocov2', config='configs/cast/mocov2_resnet50_8xb32-coslr-200e_coco.py'),
    dict(name='crop-only',
         config='configs/cast/mocov2-saliency-crop_resnet50_8xb32-coslr-200e_coco.py'),
    dict(name='cast', config='configs/cast/cast-mocov2_resnet50_8xb32-coslr-200e_coco.py'),
]
evaluation = dict(
    tasks=['linear', 'knn', 'fewshot', 'corruption', 'grounding', 'fixations'],
    args=['--size', '224', '--batch-size', '128'])
