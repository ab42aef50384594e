# Pascal VOC 2012 multi-label classification for ATCON (20 classes): images with their
# labels and boxes (VOCMultiLabelBoxes), under data/VOCdevkit/VOC2012/ (JPEGImages/,
# Annotations/, ImageSets/Main/{train,val}.txt). VOC 2012's test labels are not public, so
# models are scored on val. Labelled training data: `shots` positives and negatives per
# class of train (FewShotSampler, subset fixed by subset_seed); unlabelled data for ATCON:
# all of train. Test images are resized to 224x224 without a crop so that the boxes stay in
# the frame for the localisation metric.
dataset_type = 'VOCMultiLabelBoxes'
data_root = 'data/VOCdevkit/VOC2012/'
shots = 16

data_preprocessor = dict(
    num_classes=20,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True,
    to_onehot=True,
)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(224, 224)),
    dict(type='PackInputs',
         algorithm_keys=('gt_bboxes', 'gt_bboxes_labels'),
         meta_keys=('sample_idx', 'img_path', 'ori_shape', 'img_shape', 'scale_factor',
                    'gt_label_difficult')),
]

train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='FewShotSampler', shots=shots, subset_seed=0, shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, split='ImageSets/Main/train.txt',
                 pipeline=train_pipeline),
)
# ATCON's unlabelled images: the whole train split (its labels are never read).
unlabeled_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, split='ImageSets/Main/train.txt',
                 pipeline=train_pipeline),
)
val_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, split='ImageSets/Main/val.txt',
                 test_mode=True, pipeline=test_pipeline),
)
test_dataloader = val_dataloader

# Mean F1 over classes at threshold 0.5, and mAP (difficult-only labels ignored).
val_evaluator = [
    dict(type='VOCMultiLabelMetric', items=('precision', 'recall', 'f1-score')),
    dict(type='VOCAveragePrecision'),
    dict(type='CollapseGuardMetric', attention=False),  # all-present F1, prior, positive rate
]
test_evaluator = val_evaluator
