# CAST, the released recipe: MoCo (linear head, temperature 0.07, queue 65536, momentum
# 0.999), saliency-constrained crops, Grad-CAM loss; 0.25 * L_moco + 0.75 * L_cast; SGD lr 0.5
# cosine, 200 epochs, 8 GPUs x 32 = 256 images per step, COCO train2017 with saliency masks.
_base_ = [
    '../_base_/models/cast_resnet50.py',
    '../_base_/datasets/coco_bs32_cast.py',
    '../_base_/schedules/cast_sgd_coslr_200e.py',
    '../_base_/default_runtime.py',
]
