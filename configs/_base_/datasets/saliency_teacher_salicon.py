# SALICON-format fixations (Jiang et al. 2015: 10,000 train / 5,000 val COCO images at
# 640x480) for the full-scale teacher, at 320x240. Densities are blurred by 19 px at 640x480:
# OSIE's one degree (24 px at 800x600) scaled to SALICON's image size. Layout under
# data_root: images/{train,val}/*.jpg, fixations/fixations_{train,val}2014.json.
data_root = 'data/salicon/'
input_size = (320, 240)  # (width, height)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='FixationsToDensity', sigma_px=19.0),
    dict(type='SaliencyResize', scale=input_size),
    dict(type='SaliencyRandomFlip', prob=0.5),
    dict(type='PackSaliencyInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='FixationsToDensity', sigma_px=19.0, keep_ground_truth=True),
    dict(type='SaliencyResize', scale=input_size),
    dict(type='PackSaliencyInputs'),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='SALICONFixations', data_root=data_root, img_dir='images/train',
                 fixations_file='fixations/fixations_train2014.json',
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='SALICONFixations', data_root=data_root, img_dir='images/val',
                 fixations_file='fixations/fixations_val2014.json',
                 pipeline=test_pipeline))
val_evaluator = dict(type='SaliencyMetric', center_bias=True)
test_dataloader = val_dataloader
test_evaluator = val_evaluator
