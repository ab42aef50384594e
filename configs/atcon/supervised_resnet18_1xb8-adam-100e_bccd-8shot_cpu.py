# CPU-size sibling of supervised_resnet50_1xb16-adam-100e_voc2012-16shot.py: step 1 of
# ATCON's protocol on BCCD (RBC / WBC / Platelets present or not, 96 px), ResNet-18 from
# scratch on 8 images per class of train (9 images: the draw starts from the rarest class,
# Platelets, and those images hold the others), BCE. From scratch needs a larger lr than the
# paper's fine-tuning: Adam 1e-3. 100 epochs of 2 iterations: a few minutes on 2 cores.
_base_ = [
    '../_base_/models/atcon_resnet18_multilabel_cpu.py',
    '../_base_/datasets/bccd_multilabel_bs8_cpu.py',
    '../_base_/schedules/atcon_adam.py',
    '../_base_/default_runtime.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

model = dict(head=dict(num_classes=3))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=100, val_interval=25)
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(interval=25, max_keep_ckpts=1, save_last=True))
auto_scale_lr = dict(base_batch_size=8)
randomness = dict(seed=0)
