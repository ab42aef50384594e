# Row "contrastive + co-training on human labels": SimCLR plus the attention head trained on
# SALICON's human fixations directly (KLD to the fixation density, NSS at the fixations),
# mixed into the ImageNet batches; ImageNet images have no target and only train NT-Xent.
# CPU-size sibling: simclr-cotrain_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py.
_base_ = [
    '../_base_/models/teacher_simclr_resnet50.py',
    '../_base_/datasets/teacher_imagenet-salicon_bs32_simclr-human.py',
    '../_base_/schedules/teacher_lars_coslr_200e.py',
    '../_base_/default_runtime.py',
]

model = dict(attention_losses=dict(
    teacher=dict(target_key='fixation_density', fixation_key='fixation_map')))
train_dataloader = dict(batch_size=256)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3))
