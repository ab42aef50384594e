# ATCON combined mode on the raccoon photos, beside supervised_resnet18_1xb8-adam-100e_raccoon-
# 8shot_cpu.py: each iteration joins a labelled batch of the 8 few-shot images and an
# unlabelled batch of all 160 train images (ATCONCombinedLoop); loss = BCE(labelled) +
# alpha * L_cons(unlabelled), alpha = 1, ResNet-18 from scratch with the supervised run's lr
# (Adam 1e-3) and length (100 iterations: its 100 epochs of one batch), validated every 25.
# One always-present class: F1 and mAP say nothing here (the all-present answer scores 100);
# the attention metrics (consistency, localisation of the raccoon boxes) are what this set
# measures. The last checkpoint is kept.
_base_ = [
    '../_base_/models/atcon_resnet18_multilabel_cpu.py',
    '../_base_/datasets/raccoon_bs8_cpu.py',
    '../_base_/schedules/atcon_adam.py',
    '../_base_/default_runtime.py',
    '../_base_/evaluators/atcon.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

model = dict(type='ATCONClassifier', mode='combined', alpha=1.0, mask_intensity=8.0,
             head=dict(num_classes=1))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(type='ATCONCombinedLoop', max_iters=100, val_interval=25,
                 unlabeled_dataloader={{_base_.unlabeled_dataloader}})
val_evaluator = {{_base_.atcon_evaluator}}
test_evaluator = {{_base_.atcon_evaluator}}
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(by_epoch=False, interval=25, max_keep_ckpts=1, save_last=True))
log_processor = dict(by_epoch=False)
auto_scale_lr = dict(base_batch_size=8)
randomness = dict(seed=0)
