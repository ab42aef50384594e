# A CPU scale tried for MoCo v2 against random weights on Caltech-101 (issue 18): the 6,095
# Caltech-101 *train* images without their labels as the unlabelled pool (in-domain, as in
# the STL-10 protocol; the test images are never seen), ResNet-18 at 64 px, 30 epochs of 95
# iterations (~22-25 min on 2 cores). Measured (seed 0, see
# results/mocov2_vs_random_caltech101/): it does NOT beat random weights: linear 43.0% vs
# 42.0%, kNN 33.7% vs 35.7%. Short-schedule settings (the 200-epoch ImageNet recipe's lr 0.03
# at 256 and EMA 0.999 are tuned for 250k iterations, not 3k): lr 0.06 at batch 64,
# key-encoder EMA 0.99, queue 4,096 (< 6,095 images, a multiple of the batch).
_base_ = './mocov2_resnet18_1xb32-coslr-4e_bsds-osie_cpu.py'

model = dict(queue_len=4096, momentum=0.01)

train_dataloader = dict(
    batch_size=64,
    dataset=dict(img_dirs=['caltech101/images'], ann_file='caltech101/train.txt'))

optim_wrapper = dict(optimizer=dict(lr=0.06))
auto_scale_lr = dict(base_batch_size=64)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=30, by_epoch=True, begin=0, end=30)]
train_cfg = dict(max_epochs=30)
default_hooks = dict(logger=dict(interval=25), checkpoint=dict(interval=1, max_keep_ckpts=1))
