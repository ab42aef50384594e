# ATCON's alternating mode on Pascal VOC 2012, from ImageNet weights: each iteration is a
# labelled batch (BCE on 16 images per class of train) with probability
# alpha * S / (alpha * S + U), else an unlabelled batch (consistency loss, BatchNorm in eval
# mode) from all of train. alpha = 20 makes the two about equally likely here (S is a few
# hundred images, U = 5717). Adam 5e-6.
_base_ = [
    '../_base_/models/atcon_resnet50_multilabel.py',
    '../_base_/datasets/voc2012_multilabel_bs16.py',
    '../_base_/schedules/atcon_adam.py',
    '../_base_/default_runtime.py',
    '../_base_/evaluators/atcon.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

model = dict(type='ATCONClassifier', mode='alternating', mask_intensity=8.0)
train_cfg = dict(type='ATCONAlternatingLoop', max_iters=2000, alpha=20.0, val_interval=500,
                 unlabeled_dataloader={{_base_.unlabeled_dataloader}})
val_evaluator = {{_base_.atcon_evaluator}}
test_evaluator = {{_base_.atcon_evaluator}}
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=500, max_keep_ckpts=1, save_last=True,
                    save_best='multi-label/mAP', rule='greater'))
log_processor = dict(by_epoch=False)
# The head's bias shifts the scores but none of their gradients, so consistency steps leave
# it without a gradient; DDP has to be told.
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
randomness = dict(seed=0)
