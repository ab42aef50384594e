# Two human-fixation sets together for a full-size teacher, at 320x240: OSIE (700 images at
# 800x600, 15 observers; images 1601-1700 held out) and the Scene saliency set (500 SUN2012
# scenes of mixed sizes, 12 observers stored; images 401-500 held out), concatenated with
# mmengine's ConcatDataset: 1,000 training images. Densities are blurred by 0.03 of the image
# width (OSIE's one degree, 24 px at 800 wide; the Scene set has no recorded viewing distance,
# so the same fraction): for training after the resize, which gives the same density at a
# fraction of the cost of blurring 1600x1200 maps; for validation at the original resolution,
# where the metrics are scored. Validation runs on both held-out splits together (200
# images); tools/analysis/saliency_baselines.py --teacher scores each split on its own.
# Override the root with ATTN_DATA_ROOT=/path.
data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/'
input_size = (320, 240)  # (width, height)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='SaliencyResize', scale=input_size),
    dict(type='FixationsToDensity', sigma_frac=0.03),
    dict(type='SaliencyRandomFlip', prob=0.5),
    dict(type='PackSaliencyInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='FixationsToDensity', sigma_frac=0.03, keep_ground_truth=True),
    dict(type='SaliencyResize', scale=input_size),
    dict(type='PackSaliencyInputs'),
]


def _both(split, pipeline):
    return dict(type='ConcatDataset', datasets=[
        dict(type='OSIEFixations', data_root=data_root + 'osie/', split=split,
             pipeline=pipeline),
        dict(type='SceneSaliencyFixations', data_root=data_root + 'scene_saliency/',
             split=split, pipeline=pipeline),
    ])


train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=_both('train', train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=_both('val', test_pipeline))
val_evaluator = dict(type='SaliencyMetric', center_bias=True)
test_dataloader = val_dataloader
test_evaluator = val_evaluator
