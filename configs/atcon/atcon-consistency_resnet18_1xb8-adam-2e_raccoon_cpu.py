# Step 2 of ATCON's protocol on the raccoon photos: consistency-only fine-tuning of
# supervised_resnet18_1xb8-adam-100e_raccoon-8shot_cpu.py's checkpoint on all 160 train
# images (labels unused), mask intensity 8, Adam 1e-4, 2 epochs (40 iterations). Scored on
# the 40 test images; the same config scores the step-1 checkpoint with tools/test.py.
_base_ = [
    '../_base_/models/atcon_resnet18_multilabel_cpu.py',
    '../_base_/datasets/raccoon_bs8_cpu.py',
    '../_base_/schedules/atcon_adam.py',
    '../_base_/default_runtime.py',
    '../_base_/evaluators/atcon.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

model = dict(type='ATCONClassifier', mode='consistency', mask_intensity=8.0,
             head=dict(num_classes=1))
train_dataloader = dict(sampler=dict(_delete_=True, type='DefaultSampler', shuffle=True))
optim_wrapper = dict(optimizer=dict(lr=1e-4))
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=2, val_interval=1)
val_evaluator = {{_base_.atcon_evaluator}}
test_evaluator = {{_base_.atcon_evaluator}}
load_from = 'work_dirs/supervised_resnet18_1xb8-adam-100e_raccoon-8shot_cpu/epoch_100.pth'
default_hooks = dict(logger=dict(interval=5),
                     checkpoint=dict(interval=1, max_keep_ckpts=1, save_last=True))
auto_scale_lr = dict(base_batch_size=8)
# The head's bias shifts the scores but none of their gradients, so consistency steps leave
# it without a gradient; DDP has to be told.
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
randomness = dict(seed=0)
