# CPU-size sibling of resnet50_8xb32-linear-steplr-100e_in1k.py: the same linear protocol
# (frozen backbone with BatchNorm in eval mode, global average pooling, linear head, SGD with
# mmpretrain's lr 30 per 256 images scaled to 64, no weight decay, steps at 60% and 80%) on
# Caltech-101's fixed split (101 classes, BACKGROUND_Google left out; ClassFolderList reads
# the path-only lists), a ResNet-18 at 112 px, 10 epochs. Give the checkpoint with
#   python tools/train.py THIS_CONFIG --pretrained PRETRAIN.pth
# (tools/analysis/ssl_eval.py gives the same protocol in minutes, on cached features.)
_base_ = ['../../_base_/default_runtime.py']

data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/caltech101'
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=18, num_stages=4, out_indices=(3, ), style='pytorch',
                  frozen_stages=4,
                  init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=101, in_channels=512,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0), topk=(1, 5)))
data_preprocessor = dict(num_classes=101, mean=[123.675, 116.28, 103.53],
                         std=[58.395, 57.12, 57.375], to_rgb=True)

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
dataset = dict(type='ClassFolderList', data_root=data_root, data_prefix='images',
               exclude_classes=['BACKGROUND_Google'])
train_dataloader = dict(
    batch_size=64, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(dataset, ann_file='train.txt', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset, ann_file='test.txt', pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator

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
