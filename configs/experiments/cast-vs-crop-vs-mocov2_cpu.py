# CAST's claims at CPU scale: MoCo v2 (baseline), MoCo v2 with saliency-constrained crops
# only (the paper's ablation), and CAST (crops + Grad-CAM grounding loss), ResNet-18 on
# BSDS500 train + SOD masks, 30 epochs at 96 px, 3 seeds; frozen-feature evaluation on
# Caltech-101 at 112 px and Grad-CAM grounding on the held-out BSDS500 val photos (never
# seen in pretraining: the configs train on images/train). Re-scale with cfg_options (every
# arm) or --cfg-options and another --work-dir; the next issue runs it.
#   python tools/analysis/harness.py configs/experiments/cast-vs-crop-vs-mocov2_cpu.py
name = 'cast-vs-crop-vs-mocov2_cpu'
description = ('CAST vs saliency crops only vs MoCo v2 (ResNet-18, BSDS500 + SOD masks, 30 '
               'epochs, 96 px).')
baseline = 'mocov2'
seeds = [0, 1, 2]
cfg_options = dict()
arms = [
    dict(name='mocov2', config='configs/cast/mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py'),
    dict(name='crop-only',
         config='configs/cast/mocov2-saliency-crop_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py'),
    dict(name='cast', config='configs/cast/cast-mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py'),
]
evaluation = dict(tasks=['linear', 'knn', 'fewshot', 'corruption', 'grounding'],
                  args=['--size', '112'])
metrics = ['linear/top1', 'knn/top1', 'fewshot/5shot', 'corruption/mean15', 'corruption/mce',
           'grounding/nss', 'grounding/cc']
