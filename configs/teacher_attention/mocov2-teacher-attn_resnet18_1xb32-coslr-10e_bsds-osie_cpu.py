# CPU sibling of mocov2-teacher-attn_resnet50_8xb32-coslr-200e_in1k.py, changing scale only:
# ResNet-18 with a 512-wide neck and a 1,024-key queue, the attention head on stage 2 of the
# query view; 64 px views of BSDS500 + OSIE train photos (1,100) with the teacher maps from
# work_dirs/teacher_maps/bsds-osie-train, 2 workers; lr 0.03 per 256 images scaled to 32;
# 10 epochs. It also scores the head on OSIE's held-out images (the second base).
# Its contrastive baseline: configs/mocov2/mocov2_resnet18_1xb32-coslr-4e_bsds-osie_cpu.py.
_base_ = [
    './mocov2-teacher-attn_resnet50_8xb32-coslr-200e_in1k.py',
    '../_base_/datasets/teacher_osie-val_attention-eval_cpu.py',
]

# The queue length must be a multiple of the batch size, and stay below the number of
# images (1,100) so it does not fill with keys of the query's own image.
model = dict(
    queue_len=1024,
    backbone=dict(depth=18),
    neck=dict(in_channels=512, hid_channels=512),
    attention_losses=dict(teacher=dict(layer='backbone.layer2',
                                       attn_head=dict(in_channels=128, hid_channels=64))))

# Change the images with ATTN_DATA_ROOT or --cfg-options
# "train_dataloader.dataset.img_dirs=[...]", the maps with train_dataloader.dataset.saliency_dir.
data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/'
maps_root = 'work_dirs/teacher_maps/'
view_pipeline = _base_.view_pipeline
view_pipeline[0].scale = 64
train_pipeline = _base_.train_pipeline
train_pipeline[2].transforms = [view_pipeline]
train_dataloader = dict(
    num_workers=2,
    dataset=dict(
        _delete_=True,
        type='SaliencyImageFolder',
        img_dirs=[data_root + 'bsds500/images', data_root + 'osie/images'],
        saliency_dir=maps_root + 'bsds-osie-train',
        missing_saliency='skip',  # OSIE's held-out images 1601-1700 have no map there
        pipeline=train_pipeline))

optim_wrapper = dict(optimizer=dict(lr=0.03 * 32 / 256))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=10, by_epoch=True, begin=0, end=10)]
train_cfg = dict(max_epochs=10, val_interval=10)

default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=5))
randomness = dict(seed=0)
