# CPU-size raccoon set (natural photos, one class, VOC XML in annotations/, split in
# train_labels.csv / test_labels.csv), resized to 96x96. Every image holds a raccoon, so
# F1 and mAP only say whether the model answers "raccoon"; the set is here for the
# attention metrics: consistency and weakly supervised localisation of the raccoon boxes.
# 160 train images (labelled: `shots` of them), 40 test images, used for val and test.
dataset_type = 'VOCMultiLabelBoxes'
data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/raccoon/'
classes = ('raccoon', )
data_prefix = dict(img_path='images', ann_path='annotations')
shots = 8

data_preprocessor = dict(
    num_classes=1,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True,
    to_onehot=True,
)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(96, 96)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(96, 96)),
    dict(type='PackInputs',
         algorithm_keys=('gt_bboxes', 'gt_bboxes_labels'),
         meta_keys=('sample_idx', 'img_path', 'ori_shape', 'img_shape', 'scale_factor',
                    'gt_label_difficult')),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='FewShotSampler', shots=shots, subset_seed=0, shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, classes=classes,
                 data_prefix=data_prefix, split='train_labels.csv', pipeline=train_pipeline),
)
unlabeled_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, classes=classes,
                 data_prefix=data_prefix, split='train_labels.csv', pipeline=train_pipeline),
)
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, classes=classes,
                 data_prefix=data_prefix, split='test_labels.csv', test_mode=True,
                 pipeline=test_pipeline),
)
test_dataloader = val_dataloader

val_evaluator = [
    dict(type='VOCMultiLabelMetric', items=('precision', 'recall', 'f1-score')),
    dict(type='VOCAveragePrecision'),
    dict(type='CollapseGuardMetric', attention=False),  # all-present F1, prior, positive rate
]
test_evaluator = val_evaluator
