# CPU-size sibling of fcn_r50-d8_4xb4-20k_voc12aug-512x512.py: the same FCN D8 with a plain
# ResNet-18 (BN instead of SyncBN) on CamVid (11 classes, label 11 = void, ignored), crops of
# 96x128 from frames resized to 160x120, 200 iterations of 8 crops. Starts from random
# weights; transfer a pretraining run with
#   python tools/train.py THIS_CONFIG --pretrained work_dirs/<pretraining>/epoch_N.pth
_base_ = [
    'mmseg::_base_/models/fcn_r50-d8.py',
    '../../_base_/datasets/camvid_bs8_96x128_cpu.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_20k.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

crop_size = (96, 128)
num_classes = 11
ignore_index = 11
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    pretrained=None,
    data_preprocessor=dict(size=crop_size, seg_pad_val=ignore_index),
    backbone=dict(type='ResNet', depth=18, norm_cfg=norm_cfg),
    decode_head=dict(
        in_channels=512,
        channels=128,
        num_classes=num_classes,
        ignore_index=ignore_index,
        norm_cfg=norm_cfg,
        loss_decode=dict(avg_non_ignore=True)),
    auxiliary_head=dict(
        in_channels=256,
        channels=64,
        num_classes=num_classes,
        ignore_index=ignore_index,
        norm_cfg=norm_cfg,
        loss_decode=dict(avg_non_ignore=True)))

param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=200, by_epoch=False)
]
train_cfg = dict(max_iters=200, val_interval=200)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=200),
    visualization=dict(draw=False))
randomness = dict(seed=0)
