# The teacher-attention paper's co-training row at the Caltech-101 CPU scale: the
# teacher-attention arm (./mocov2-teacher-attn_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py:
# MoCo v2 at the scale where it beats random weights, plus the attention head on stage 3)
# with the head trained on human fixations directly (KLD to the fixation density, NSS at the
# fixations) instead of the teacher's maps: the teacher's own training images (OSIE + Scene
# train, 1,000) are mixed into the unlabelled Caltech-101 images, which have no target and
# train InfoNCE only (as the paper mixes SALICON into ImageNet). The human images add 16%
# more steps per epoch.
_base_ = ['./mocov2-teacher-attn_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py']

model = dict(attention_losses=dict(teacher=dict(target_key='fixation_density',
                                                fixation_key='fixation_map')))
train_dataloader = dict(dataset={{_base_.human_cotrain_dataset}})
