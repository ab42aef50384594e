# Teacher attention on BYOL: mmpretrain's BYOL ResNet-50 recipe (16 GPUs x 256 images, LARS lr
# 4.8 per 4096, 200 epochs) plus the attention head on stage 3 of both views, trained on the
# teacher's maps of ImageNet (tools/gen_saliency.py -> data/imagenet/saliency_teacher). The
# views use the teacher rows' SimCLR augmentation (each view carries its own map), not BYOL's
# asymmetric blur / solarize: the same data as the SimCLR + teacher row.
# CPU-size sibling: byol-teacher-attn_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py.
_base_ = [
    '../_base_/models/teacher_byol_resnet50.py',
    '../_base_/datasets/teacher_imagenet_bs32_simclr-maps.py',
    '../_base_/schedules/teacher_lars_coslr_200e.py',
    '../_base_/default_runtime.py',
]
train_dataloader = dict(batch_size=256)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3))
