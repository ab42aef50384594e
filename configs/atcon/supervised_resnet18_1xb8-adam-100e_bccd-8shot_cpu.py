# CPU-size sibling of supervised_resnet50_1xb16-adam-100e_voc2012-16shot.py: step 1 of
# ATCON's protocol on BCCD (RBC / WBC / Platelets present or not, 96 px), ResNet-18 from
# scratch (reflect padding, as every ATCON model here) on 8 positives and 8 negatives per
# class of train (16 images: train has only 8 images without RBC and 1 without WBC), BCE.
# From scratch needs a larger lr than the paper's fine-tuning: Adam 1e-3. 100 epochs of 2
# iterations, validated every 10 epochs; the checkpoint of the best val mAP is kept
# (best_multi-label_mAP_epoch_N.pth) for step 2 and for the test split.
_base_ = [
    '../_base_/models/atcon_resnet18_multilabel_cpu.py',
    '../_base_/datasets/bccd_multilabel_bs8_cpu.py',
    '../_base_/schedules/atcon_adam.py',
    '../_base_/default_runtime.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

model = dict(head=dict(num_classes=3))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=100, val_interval=10)
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(interval=10, max_keep_ckpts=1, save_last=True,
                                     save_best='multi-label/mAP', rule='greater'))
auto_scale_lr = dict(base_batch_size=8)
randomness = dict(seed=0)
