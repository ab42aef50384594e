# ATCON alternating mode on the raccoon photos, beside supervised_resnet18_1xb8-adam-100e_
# raccoon-8shot_cpu.py: a labelled batch (BCE on the 8 few-shot images) with probability
# alpha * S / (alpha * S + U) = 20 * 8 / (20 * 8 + 160) = 0.5, else a consistency step on an
# unlabelled batch of all 160 train images; 200 iterations, so about as many labelled steps
# as the supervised run's 100. Adam 1e-3 (from scratch). One always-present class: the
# attention metrics are what this set measures. The last checkpoint is kept.
_base_ = [
    '../_base_/models/atcon_resnet18_multilabel_cpu.py',
    '../_base_/datasets/raccoon_bs8_cpu.py',
    '../_base_/schedules/atcon_adam.py',
    '../_base_/default_runtime.py',
    '../_base_/evaluators/atcon.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

model = dict(type='ATCONClassifier', mode='alternating', mask_intensity=8.0,
             head=dict(num_classes=1))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(type='ATCONAlternatingLoop', max_iters=200, alpha=20.0, val_interval=50,
                 unlabeled_dataloader={{_base_.unlabeled_dataloader}})
val_evaluator = {{_base_.atcon_evaluator}}
test_evaluator = {{_base_.atcon_evaluator}}
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(by_epoch=False, interval=50, max_keep_ckpts=1, save_last=True))
log_processor = dict(by_epoch=False)
auto_scale_lr = dict(base_batch_size=8)
# The head's bias shifts the scores but none of their gradients, so consistency steps leave
# it without a gradient; DDP has to be told.
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
randomness = dict(seed=0)
