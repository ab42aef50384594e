# CPU sibling of mocov2_resnet50_8xb32-coslr-200e_in1k.py, changing scale only: ResNet-18 at
# 64 px on the 1,200 BSDS500 + OSIE photos (an unlabelled folder instead of ImageNet), 2
# workers, 4 epochs (~150 iterations) in minutes on 2 cores.
_base_ = ['./mocov2_resnet50_8xb32-coslr-200e_in1k.py']

# The queue length must be a multiple of the batch size, and stay below the number of
# images (1,200) so it does not fill with keys of the query's own image.
model = dict(
    queue_len=1024,
    backbone=dict(depth=18),
    neck=dict(in_channels=512, hid_channels=512))

# Override the root with ATTN_DATA_ROOT=/path or --cfg-options
# train_dataloader.dataset.data_root=/path/
data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/'
view_pipeline = _base_.view_pipeline
view_pipeline[0].scale = 64
train_pipeline = _base_.train_pipeline
train_pipeline[1].transforms = [view_pipeline]
train_dataloader = dict(
    num_workers=2,
    dataset=dict(_delete_=True, type='ImageFolder', data_root=data_root,
                 img_dirs=['bsds500/images', 'osie/images'], pipeline=train_pipeline))

# Linear lr scaling from the full recipe (0.03 at 256 images per step).
optim_wrapper = dict(optimizer=dict(lr=0.03 * 32 / 256))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=4, by_epoch=True, begin=0, end=4)]
train_cfg = dict(max_epochs=4)

default_hooks = dict(logger=dict(interval=10))
randomness = dict(seed=0)
