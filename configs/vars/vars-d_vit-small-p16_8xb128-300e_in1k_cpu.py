# CPU-size sibling of vars-d_vit-small-p16_8xb128-300e_in1k.py: the same VARS-D ViT (narrower
# and shallower: 96 wide, 4 layers, 3 heads, 4x4 patches of 32x32 crops) and DeiT-style
# recipe, on single-cell crops of BCCD (RBC / WBC / Platelets, about 670 training crops).
# 15 epochs (about 320 iterations) take a few minutes on 2 cores.
_base_ = [
    '../_base_/models/vars_vit-small-p16.py',
    '../_base_/datasets/bccd_crops_cpu.py',
    '../_base_/schedules/vars_adamw-coslr-300e_deit.py',
    '../_base_/default_runtime.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        arch=dict(_delete_=True, embed_dims=96, num_layers=4, num_heads=3,
                  feedforward_channels=384),
        img_size=32,
        patch_size=4,
        drop_path_rate=0.0),
    head=dict(num_classes=3, in_channels=96),
    # Mixup / CutMix need far more epochs than a CPU run has to pay off.
    train_cfg=None,
)

optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, end=1, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True, begin=1),
]
train_cfg = dict(max_epochs=15, val_interval=5)
auto_scale_lr = dict(base_batch_size=32)

default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=5))
randomness = dict(seed=0)
