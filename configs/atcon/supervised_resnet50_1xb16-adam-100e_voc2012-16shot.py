# Step 1 of ATCON's protocol on Pascal VOC 2012: supervised multi-label fine-tuning of an
# ImageNet ResNet-50 on 16 images per class of train (FewShotSampler; multi-label images
# count for each class they hold), BCE, Adam 5e-6. Scored on val by mean F1 at 0.5 and mAP.
# The checkpoint of the best val mAP is kept; step 2 (atcon-consistency_*) loads it.
_base_ = [
    '../_base_/models/atcon_resnet50_multilabel.py',
    '../_base_/datasets/voc2012_multilabel_bs16.py',
    '../_base_/schedules/atcon_adam.py',
    '../_base_/default_runtime.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=100, val_interval=10)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=1, save_last=True,
                                     save_best='multi-label/mAP', rule='greater'))
randomness = dict(seed=0)
