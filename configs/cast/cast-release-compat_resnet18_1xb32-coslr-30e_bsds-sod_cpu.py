# CPU sibling of cast-release-compat_resnet50_8xb32-coslr-200e_coco.py, changing scale only,
# as cast_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py does: ResNet-18 (output stride 16), a
# 128-key queue, the 200 BSDS500 train photos with SOD masks at 96 px (maps at 24 px),
# 2 workers; lr 0.5 per 256 images scaled to 32; 30 epochs.
_base_ = ['./cast-release-compat_resnet50_8xb32-coslr-200e_coco.py']

model = dict(
    queue_len=128,
    backbone=dict(depth=18, strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2)),
    neck=dict(in_channels=512))

# Override the root with ATTN_DATA_ROOT=/path or --cfg-options
# train_dataloader.dataset.data_root=/path/bsds500/
data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/bsds500/'
view_pipeline = _base_.view_pipeline
view_pipeline[0].update(scale=96, map_size=24)
train_pipeline = _base_.train_pipeline
train_pipeline[2].transforms = [view_pipeline]
train_dataloader = dict(
    num_workers=2,
    dataset=dict(data_root=data_root, img_dirs='images/train', saliency_dir='sod_masks',
                 missing_saliency='skip', pipeline=train_pipeline))

optim_wrapper = dict(optimizer=dict(lr=0.5 * 32 / 256))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=30, by_epoch=True, begin=0, end=30)]
train_cfg = dict(max_epochs=30)

default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10))
randomness = dict(seed=0)
