# A second CPU scale of vars-d_vit-small-p16_8xb128-300e_in1k.py, for the VARS experiment on
# natural images (configs/experiments/vars-d-vs-vit_cpu.py): the small VARS-D ViT and
# DeiT-style recipe of vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py (96 wide, 4 layers,
# 3 heads, 4x4 patches of 32x32 images: 64 tokens) trained from scratch on Caltech-101's
# labelled train split (5,784 images, 101 classes, BACKGROUND_Google left out) for 30 epochs,
# tested on its test split (2,893). The self-attention baseline is the same config with
#   --cfg-options model.backbone.attn_cfgs=None
_base_ = ['./vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py']

data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/caltech101'
model = dict(head=dict(num_classes=101))
data_preprocessor = dict(num_classes=101)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=32, backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
# ssl_eval's view: short side 32 * 8 / 7, centre crop 32
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=37, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=32),
    dict(type='PackInputs'),
]
caltech101 = dict(type='ClassFolderList', data_root=data_root, data_prefix='images',
                  exclude_classes=['BACKGROUND_Google'])
train_dataloader = dict(
    batch_size=64,
    dataset=dict(caltech101, _delete_=True, ann_file='train.txt', pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(caltech101, _delete_=True, ann_file='test.txt',
                                   pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_evaluator = val_evaluator

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, end=1, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True, begin=1, T_max=29, end=30),
]
train_cfg = dict(max_epochs=30, val_interval=10)
auto_scale_lr = dict(base_batch_size=64)
default_hooks = dict(logger=dict(interval=25), checkpoint=dict(interval=1, max_keep_ckpts=1))
