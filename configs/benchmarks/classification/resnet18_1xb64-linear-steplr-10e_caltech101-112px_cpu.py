# CPU-size sibling of resnet50_8xb32-linear-steplr-100e_in1k.py: the same linear protocol
# (frozen backbone with BatchNorm in eval mode, global average pooling, linear head, SGD with
# mmpretrain's lr 30 per 256 images scaled to 64, no weight decay, steps at 60% and 80%) on
# Caltech-101's fixed split (101 classes, BACKGROUND_Google left out; ClassFolderList reads
# the path-only lists), a ResNet-18 at 112 px, 10 epochs. Give the checkpoint with
#   python tools/train.py THIS_CONFIG --pretrained PRETRAIN.pth
# (tools/analysis/ssl_eval.py gives the same protocol in minutes, on cached features.)
_base_ = [
    '../../_base_/datasets/caltech101_bs64_64px_cpu.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=18, num_stages=4, out_indices=(3, ), style='pytorch',
                  frozen_stages=4,
                  init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=101, in_channels=512,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0), topk=(1, 5)))

# the data base at 112 px
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=112, backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=128, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=112),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='SGD', lr=30. * 64 / 256, momentum=0.9, weight_decay=0.))
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[6, 8], gamma=0.1)]
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=10, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256)

default_hooks = dict(logger=dict(interval=20),
                     checkpoint=dict(interval=10, max_keep_ckpts=1))
randomness = dict(seed=0)
