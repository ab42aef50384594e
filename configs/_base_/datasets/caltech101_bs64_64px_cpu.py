# Caltech-101's fixed split for CPU-scale supervised training and evaluation: 5,784 labelled
# train images, 2,893 test (101 classes, BACKGROUND_Google left out; ClassFolderList reads the
# path-only lists and labels each image by its folder), 64 px. Training: RandomResizedCrop
# and flip; test: tools/analysis/ssl_eval.py's view (short side 73, centre crop 64).
data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/caltech101'
data_preprocessor = dict(num_classes=101, mean=[123.675, 116.28, 103.53],
                         std=[58.395, 57.12, 57.375], to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=64, backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=73, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=64),
    dict(type='PackInputs'),
]
caltech101 = dict(type='ClassFolderList', data_root=data_root, data_prefix='images',
                  exclude_classes=['BACKGROUND_Google'])
train_dataloader = dict(
    batch_size=64, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(caltech101, ann_file='train.txt', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(caltech101, ann_file='test.txt', pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
