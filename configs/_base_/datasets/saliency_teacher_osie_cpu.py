# OSIE eye fixations (700 images at 800x600, 15 observers) for the CPU-size teacher: the
# fixed held-out split (images 1601-1700 are val), images at 128x96. Densities are blurred by
# one degree of visual angle (24 px) at the original resolution, before the resize; val keeps
# the original-resolution fixations for SaliencyMetric. Override the root with
# ATTN_DATA_ROOT=/path or --cfg-options train_dataloader.dataset.data_root=/path/osie/
data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/osie/'
input_size = (128, 96)  # (width, height), OSIE's 4:3

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='FixationsToDensity', sigma_deg=1.0, pixels_per_degree=24.0),
    dict(type='SaliencyResize', scale=input_size),
    dict(type='SaliencyRandomFlip', prob=0.5),
    dict(type='PackSaliencyInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='FixationsToDensity', sigma_deg=1.0, pixels_per_degree=24.0,
         keep_ground_truth=True),
    dict(type='SaliencyResize', scale=input_size),
    dict(type='PackSaliencyInputs'),
]

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='OSIEFixations', data_root=data_root, split='train',
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='OSIEFixations', data_root=data_root, split='val',
                 pipeline=test_pipeline))
val_evaluator = dict(type='SaliencyMetric', center_bias=True)
test_dataloader = val_dataloader
test_evaluator = val_evaluator
