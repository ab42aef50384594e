# Linear evaluation on Pascal VOC 2007 classification (20 classes, multi-label): the
# pretrained ResNet-50 frozen (frozen_stages=4), global average pooling, a linear head with
# per-class sigmoid cross-entropy, trained on VOC2007 trainval and scored by mAP (and
# precision / recall / F1) on VOC2007 test; mmpretrain's VOC dataset, pipelines and metrics
# (mmpretrain::_base_/datasets/voc_bs16.py) and its linear-protocol optimiser (SGD, lr 30 per
# 256 images, no weight decay), 30 epochs with a cosine schedule, 8 GPUs x 16. (The CAST and
# MoCo papers report linear SVMs on VOC07 features; this is the same read-out trained by SGD
# inside mmpretrain, untested at this scale.) Any checkpoint:
#   bash tools/dist_train.sh THIS_CONFIG 8 --pretrained PRETRAIN.pth
# CPU-size sibling: resnet18_1xb16-linear-coslr-10e_bccd-96px_cpu.py.
_base_ = [
    'mmpretrain::_base_/models/resnet50.py',
    'mmpretrain::_base_/datasets/voc_bs16.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

pretrain_ckpt = 'work_dirs/cast_resnet50_8xb32-coslr-200e_coco/epoch_200.pth'
model = dict(
    backbone=dict(frozen_stages=4, init_cfg=dict(
        type='Pretrained', checkpoint=pretrain_ckpt, prefix='backbone.')),
    head=dict(_delete_=True, type='MultiLabelLinearClsHead', num_classes=20, in_channels=2048,
              loss=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0)))

optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='SGD', lr=30. * 128 / 256, momentum=0.9,
                                    weight_decay=0.))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=30, by_epoch=True, begin=0, end=30)]
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=30, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))
