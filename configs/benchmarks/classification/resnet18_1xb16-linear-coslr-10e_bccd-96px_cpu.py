# CPU-size sibling of resnet50_8xb16-linear-coslr-30e_voc07.py: the same multi-label linear
# protocol (frozen backbone, global average pooling, sigmoid linear head, SGD lr 30 per 256
# images, cosine) with mmpretrain's VOC dataset on BCCD (full VOC layout: RBC / WBC /
# Platelets present or not; trainval 292 images, test 72), a ResNet-18 at 96 px, 10 epochs.
#   python tools/train.py THIS_CONFIG --pretrained PRETRAIN.pth
_base_ = ['./resnet50_8xb16-linear-coslr-30e_voc07.py']

data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/bccd'
classes = ('RBC', 'WBC', 'Platelets')
model = dict(
    backbone=dict(depth=18, init_cfg=dict(checkpoint='')),
    head=dict(num_classes=3, in_channels=512))
data_preprocessor = dict(num_classes=3)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=96, crop_ratio_range=(0.5, 1.0)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(96, 96)),
    dict(type='PackInputs',
         meta_keys=('sample_idx', 'img_path', 'ori_shape', 'img_shape', 'scale_factor',
                    'flip', 'flip_direction', 'gt_label_difficult')),
]
train_dataloader = dict(
    batch_size=16, num_workers=2, persistent_workers=True,
    dataset=dict(data_root=data_root, split='trainval', metainfo=dict(classes=classes),
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16, num_workers=2, persistent_workers=True,
    dataset=dict(data_root=data_root, split='test', metainfo=dict(classes=classes),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader

optim_wrapper = dict(optimizer=dict(lr=30. * 16 / 256))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=10, by_epoch=True, begin=0, end=10)]
train_cfg = dict(max_epochs=10, val_interval=10)
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10, max_keep_ckpts=1))
randomness = dict(seed=0)
