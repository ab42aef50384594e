# ATCON's combined mode on Pascal VOC 2012, from ImageNet weights: each iteration joins a
# labelled batch (16 positives and 16 negatives per class of train) and an unlabelled batch
# of all of train (ATCONCombinedLoop); loss = BCE(labelled) + alpha * L_cons(unlabelled,
# BatchNorm in eval mode), alpha = 1, Adam 5e-6, 2000 iterations; the checkpoint of the
# best val mAP is kept.
_base_ = [
    '../_base_/models/atcon_resnet50_multilabel.py',
    '../_base_/datasets/voc2012_multilabel_bs16.py',
    '../_base_/schedules/atcon_adam.py',
    '../_base_/default_runtime.py',
    '../_base_/evaluators/atcon.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

model = dict(type='ATCONClassifier', mode='combined', alpha=1.0, mask_intensity=8.0)
train_cfg = dict(type='ATCONCombinedLoop', max_iters=2000, val_interval=500,
                 unlabeled_dataloader={{_base_.unlabeled_dataloader}})
val_evaluator = {{_base_.atcon_evaluator}}
test_evaluator = {{_base_.atcon_evaluator}}
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=500, max_keep_ckpts=1, save_last=True,
                    save_best='multi-label/mAP', rule='greater'))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
