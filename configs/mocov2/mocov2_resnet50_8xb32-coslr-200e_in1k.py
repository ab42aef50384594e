# MoCo v2 baseline, mmpretrain's recipe: ResNet-50, 8 GPUs x 32 images, SGD lr 0.03 cosine,
# 200 epochs on an ImageNet-style folder. The methods in this package extend this family.
_base_ = [
    '../_base_/models/mocov2_resnet50.py',
    '../_base_/datasets/imagenet_bs32_mocov2.py',
    '../_base_/schedules/sgd_coslr_200e.py',
    '../_base_/default_runtime.py',
]

# lr 0.03 was tuned for 256 images per step; --auto-scale-lr rescales it.
auto_scale_lr = dict(base_batch_size=256)
