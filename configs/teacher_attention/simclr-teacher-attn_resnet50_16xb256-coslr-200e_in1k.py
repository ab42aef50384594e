# Row "contrastive + teacher attention": SimCLR plus the attention head on stage 3, trained
# on the teacher's maps of ImageNet (tools/gen_saliency.py -> data/imagenet/saliency_teacher):
# L = NT-Xent + lambda * KLD(m_p, m_t) - beta * NSS(m_p, p_t).
# CPU-size sibling: simclr-teacher-attn_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py.
_base_ = [
    '../_base_/models/teacher_simclr_resnet50.py',
    '../_base_/datasets/teacher_imagenet_bs32_simclr-maps.py',
    '../_base_/schedules/teacher_lars_coslr_200e.py',
    '../_base_/default_runtime.py',
]

train_dataloader = dict(batch_size=256)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3))
