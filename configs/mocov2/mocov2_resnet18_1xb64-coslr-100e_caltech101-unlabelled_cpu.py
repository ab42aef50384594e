# The CPU scale at which MoCo v2 beats random weights (issue 18): the 30-epoch recipe on the
# 6,095 unlabelled Caltech-101 train images (ResNet-18, 64 px, batch 64, lr 0.06, EMA 0.99,
# queue 4,096) run for 100 epochs (9,500 iterations, about 100 min on 2 cores). Measured
# against random weights in results/mocov2_vs_random_caltech101/100e_64px/; the experiments
# of configs/experiments/*_cpu.py that pretrain on Caltech-101 use this scale.
_base_ = './mocov2_resnet18_1xb64-coslr-30e_caltech101-unlabelled_cpu.py'

param_scheduler = [dict(type='CosineAnnealingLR', T_max=100, by_epoch=True, begin=0, end=100)]
train_cfg = dict(max_epochs=100)
