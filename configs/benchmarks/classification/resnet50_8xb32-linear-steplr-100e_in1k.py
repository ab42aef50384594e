# Linear evaluation on ImageNet, mmpretrain's MoCo v2 benchmark as shipped
# (mmpretrain::mocov2/benchmarks/resnet50_8xb32-linear-steplr-100e_in1k.py): the pretrained
# ResNet-50 frozen (frozen_stages=4: every stage and BatchNorm in eval mode), global average
# pooling, a linear classifier trained with SGD lr 30, no weight decay, 100 epochs (steps at
# 60 and 80), 8 GPUs x 32; top-1 / top-5 on ImageNet val. The backbone loads the backbone.*
# weights of the pretraining checkpoint below; any other:
#   bash tools/dist_train.sh THIS_CONFIG 8 --pretrained PRETRAIN.pth
# CPU-size sibling: resnet18_1xb64-linear-steplr-10e_caltech101-112px_cpu.py.
_base_ = 'mmpretrain::mocov2/benchmarks/resnet50_8xb32-linear-steplr-100e_in1k.py'
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

pretrain_ckpt = 'work_dirs/mocov2_resnet50_8xb32-coslr-200e_in1k/epoch_200.pth'
model = dict(backbone=dict(init_cfg=dict(
    _delete_=True, type='Pretrained', checkpoint=pretrain_ckpt, prefix='backbone.')))
auto_scale_lr = dict(base_batch_size=256)
# mmpretrain's 100 epochs, with the loop that resumes inside an epoch.
train_cfg = dict(type='ResumableEpochBasedTrainLoop')
