# Step 2 of ATCON's protocol on Pascal VOC 2012: consistency-only fine-tuning of the
# supervised checkpoint (step 1) on all train images, labels unused: the loss is minus the
# correlation of the Grad-CAM of the top class and the Grad-CAM of the image masked by
# Guided Backprop (mask intensity 8), second order, BatchNorm in eval mode; Adam 5e-6.
# Scored on val by mean F1 at 0.5, mAP, mean attention consistency, localisation IoU and
# the collapse guards; the checkpoint of the best val mAP is kept. The same config
# evaluates the step-1 checkpoint ("before"):
#   python tools/test.py THIS_CONFIG work_dirs/supervised_.../best_multi-label_mAP_epoch_N.pth
_base_ = [
    '../_base_/models/atcon_resnet50_multilabel.py',
    '../_base_/datasets/voc2012_multilabel_bs16.py',
    '../_base_/schedules/atcon_adam.py',
    '../_base_/default_runtime.py',
    '../_base_/evaluators/atcon.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

model = dict(type='ATCONClassifier', mode='consistency', mask_intensity=8.0,
             backbone=dict(init_cfg=None))
# Unlabelled images: the whole train split.
train_dataloader = dict(sampler=dict(_delete_=True, type='DefaultSampler', shuffle=True))
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=5, val_interval=1)
val_evaluator = {{_base_.atcon_evaluator}}
test_evaluator = {{_base_.atcon_evaluator}}
# Step 1's best checkpoint has the epoch in its name: pass it with
# --cfg-options load_from=work_dirs/supervised_.../best_multi-label_mAP_epoch_N.pth
load_from = None
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=1, save_last=True,
                                     save_best='multi-label/mAP', rule='greater'))
# The head's bias shifts the scores but none of their gradients, so consistency steps leave
# it without a gradient; DDP has to be told.
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
randomness = dict(seed=0)
