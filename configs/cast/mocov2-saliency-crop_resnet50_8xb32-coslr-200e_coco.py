# Ablation: MoCo v2 with CAST's saliency-constrained crops only (no Grad-CAM loss).
_base_ = [
    '../_base_/models/mocov2_resnet50.py',
    '../_base_/datasets/coco_bs32_cast-mocov2.py',
    '../_base_/schedules/cast_sgd_coslr_200e.py',
    '../_base_/default_runtime.py',
]
