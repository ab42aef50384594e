# CPU-size sibling of atcon-combined_resnet50_1xb16-adam-2000i_voc2012-16shot.py on BCCD:
# each iteration joins a labelled batch of the few-shot subset (8 positives and 8 negatives
# per class, 16 images) and an unlabelled batch of all 205 train images
# (ATCONCombinedLoop); loss = BCE(labelled) + alpha * L_cons(unlabelled), alpha = 1,
# ResNet-18 from scratch with the supervised CPU baseline's lr (Adam 1e-3) and length
# (200 iterations, its 100 epochs of 2), validated every 20 iterations; the checkpoint of
# the best val mAP is kept.
_base_ = [
    '../_base_/models/atcon_resnet18_multilabel_cpu.py',
    '../_base_/datasets/bccd_multilabel_bs8_cpu.py',
    '../_base_/schedules/atcon_adam.py',
    '../_base_/default_runtime.py',
    '../_base_/evaluators/atcon.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

model = dict(type='ATCONClassifier', mode='combined', alpha=1.0, mask_intensity=8.0,
             head=dict(num_classes=3))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(type='ATCONCombinedLoop', max_iters=200, val_interval=20,
                 unlabeled_dataloader={{_base_.unlabeled_dataloader}})
val_evaluator = {{_base_.atcon_evaluator}}
test_evaluator = {{_base_.atcon_evaluator}}
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(by_epoch=False, interval=20, max_keep_ckpts=1, save_last=True,
                    save_best='multi-label/mAP', rule='greater'))
log_processor = dict(by_epoch=False)
auto_scale_lr = dict(base_batch_size=8)
# The head's bias gets no gradient from the consistency term but does from BCE; the
# unlabelled images' BCE is not computed, so nothing is unused in this mode.
randomness = dict(seed=0)
