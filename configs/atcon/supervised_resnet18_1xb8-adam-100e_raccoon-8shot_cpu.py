# Step 1 of ATCON's protocol on the raccoon photos (one class, every image positive), 96 px,
# ResNet-18 from scratch on 8 train images, BCE, Adam 1e-3. With one always-present class
# the labels teach little; the raccoon runs are about the attention metrics (consistency,
# localisation of the raccoon boxes) on natural images.
_base_ = [
    '../_base_/models/atcon_resnet18_multilabel_cpu.py',
    '../_base_/datasets/raccoon_bs8_cpu.py',
    '../_base_/schedules/atcon_adam.py',
    '../_base_/default_runtime.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

model = dict(head=dict(num_classes=1))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=100, val_interval=25)
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(interval=25, max_keep_ckpts=1, save_last=True))
auto_scale_lr = dict(base_batch_size=8)
randomness = dict(seed=0)
