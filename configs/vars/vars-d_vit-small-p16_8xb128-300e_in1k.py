# VARS-D ViT-S/16 on ImageNet-1k with the DeiT recipe (as in the VARS paper's DeiT-S rows):
# 8 GPUs x 128 images, AdamW lr 1e-3 (5e-4 per 512), 300 epochs, RandAugment, random erasing,
# Mixup / CutMix, label smoothing, drop path 0.1. Expects an mmpretrain ImageNet folder at
# $ATTN_DATA_ROOT/imagenet (train/, val/, meta/).
_base_ = [
    '../_base_/models/vars_vit-small-p16.py',
    'mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py',
    '../_base_/schedules/vars_adamw-coslr-300e_deit.py',
    '../_base_/default_runtime.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/imagenet/'
train_dataloader = dict(batch_size=128, dataset=dict(data_root=data_root))
val_dataloader = dict(batch_size=128, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
