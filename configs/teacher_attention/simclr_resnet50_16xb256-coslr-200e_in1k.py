# Row "contrastive" of Yao et al.'s table: SimCLR (NT-Xent, tau 0.1), ResNet-50, 16 GPUs x
# 256 images, LARS, 200 epochs on ImageNet. The same model as the teacher rows with the
# teacher loss turned off, so the rows differ only in the attention loss.
# CPU-size sibling: simclr_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py.
_base_ = [
    '../_base_/models/teacher_simclr_resnet50.py',
    '../_base_/datasets/teacher_imagenet_bs32_simclr.py',
    '../_base_/schedules/teacher_lars_coslr_200e.py',
    '../_base_/default_runtime.py',
]

model = dict(attention_losses=dict(teacher=None))
train_dataloader = dict(batch_size=256)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3))
