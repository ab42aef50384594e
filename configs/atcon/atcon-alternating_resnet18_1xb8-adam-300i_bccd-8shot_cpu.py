# CPU-size sibling of atcon-alternating_resnet50_1xb16-adam-2000i_voc2012-16shot.py on
# BCCD, ResNet-18 from scratch: a labelled batch (BCE on the 16 few-shot images) with
# probability alpha * S / (alpha * S + U) = 20 * 16 / (20 * 16 + 205) = 0.61, else a
# consistency step on an unlabelled batch of all 205 train images. Adam 1e-3 (from scratch);
# the checkpoint of the best val mAP is kept.
_base_ = [
    '../_base_/models/atcon_resnet18_multilabel_cpu.py',
    '../_base_/datasets/bccd_multilabel_bs8_cpu.py',
    '../_base_/schedules/atcon_adam.py',
    '../_base_/default_runtime.py',
    '../_base_/evaluators/atcon.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

model = dict(type='ATCONClassifier', mode='alternating', mask_intensity=8.0,
             head=dict(num_classes=3))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(type='ATCONAlternatingLoop', max_iters=300, alpha=20.0, val_interval=100,
                 unlabeled_dataloader={{_base_.unlabeled_dataloader}})
val_evaluator = {{_base_.atcon_evaluator}}
test_evaluator = {{_base_.atcon_evaluator}}
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(by_epoch=False, interval=100, max_keep_ckpts=1, save_last=True,
                    save_best='multi-label/mAP', rule='greater'))
log_processor = dict(by_epoch=False)
auto_scale_lr = dict(base_batch_size=8)
# The head's bias shifts the scores but none of their gradients, so consistency steps leave
# it without a gradient; DDP has to be told.
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
randomness = dict(seed=0)
