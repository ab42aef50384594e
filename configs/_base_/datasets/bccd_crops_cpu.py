# CPU-size single-object classification: every box of BCCD (RBC / WBC / Platelets blood
# cells, Pascal VOC layout) cropped with some context and resized to 32x32. At most 250
# boxes per class for training and 100 per class for val / test (RBCs outnumber the others
# 10:1), so chance is about 1/3. Override the root with ATTN_DATA_ROOT=/path or
# --cfg-options train_dataloader.dataset.data_root=/path/bccd/
dataset_type = 'VOCObjectCrops'
data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/bccd/'
classes = ('RBC', 'WBC', 'Platelets')

data_preprocessor = dict(
    num_classes=3,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True,
)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='CropObjectBox', margin=(0.05, 0.3)),
    dict(type='Resize', scale=(32, 32)),
    dict(type='RandomFlip', prob=[0.5, 0.5], direction=['horizontal', 'vertical']),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='CropObjectBox', margin=0.15),
    dict(type='Resize', scale=(32, 32)),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        classes=classes,
        split='ImageSets/Main/train.txt',
        max_per_class=250,
        pipeline=train_pipeline),
)
val_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        classes=classes,
        split='ImageSets/Main/val.txt',
        max_per_class=100,
        pipeline=test_pipeline),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        classes=classes,
        split='ImageSets/Main/test.txt',
        max_per_class=100,
        pipeline=test_pipeline),
)
test_evaluator = val_evaluator
