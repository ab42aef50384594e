# Full scale of cast-vs-crop-vs-mocov2_cpu.py: ResNet-50, COCO train2017 with saliency masks,
# 200 epochs on 8 GPUs; evaluation at 224 px. Configs only: untested at this scale. (The
# paper's own transfer benchmarks are configs/benchmarks/mmdetection and
# configs/benchmarks/classification.)
_base_ = ['./cast-vs-crop-vs-mocov2_cpu.py']
name = 'cast-vs-crop-vs-mocov2'
description = 'CAST vs saliency crops only vs MoCo v2 (ResNet-50, COCO, 200 epochs).'
prerequisites = []  # COCO's saliency maps are the dataset config's
transfer = [dict(name='voc-det', config='configs/benchmarks/mmdetection/'
                 'faster-rcnn_r50-c4_8xb2-ms-24k_voc0712.py')]
results_dir = None  # the CPU spec's kept runs are not this scale's
arms = [
    dict(name='mocov2', config='configs/cast/mocov2_resnet50_8xb32-coslr-200e_coco.py'),
    dict(name='crop-only',
         config='configs/cast/mocov2-saliency-crop_resnet50_8xb32-coslr-200e_coco.py'),
    dict(name='cast', config='configs/cast/cast-mocov2_resnet50_8xb32-coslr-200e_coco.py'),
]
evaluation = dict(
    tasks=['linear', 'knn', 'fewshot', 'corruption', 'grounding', 'fixations'],
    args=['--size', '224', '--batch-size', '128'])
metrics = ['linear/top1', 'knn/top1', 'fewshot/5shot', 'corruption/mean15', 'grounding/nss',
           'grounding/center_bias_nss', 'fixations/nss', 'fixations/center_bias_nss',
           'transfer/voc-det/pascal_voc/AP50', 'transfer/voc-det/pascal_voc/mAP']
claims = [
    dict(arm='cast', metric='linear/top1', direction='higher',
         paper='MoCo + CAST beats MoCo on linear classification'),
    dict(arm='crop-only', metric='linear/top1', direction='higher',
         paper='the saliency-constrained crop alone already helps'),
    dict(arm='cast', metric='grounding/nss', direction='higher',
         trivial='grounding/center_bias_nss',
         paper="CAST's Grad-CAM maps land on the objects"),
    dict(arm='cast', metric='transfer/voc-det/pascal_voc/AP50', direction='higher',
         paper='MoCo + CAST transfers better to VOC detection'),
]
