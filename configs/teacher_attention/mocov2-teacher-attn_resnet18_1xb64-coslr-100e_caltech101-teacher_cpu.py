# The teacher-attention paper's claim at the Caltech-101 CPU scale: MoCo v2 exactly as
# ../mocov2/mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py (the scale at which
# MoCo v2 beats random weights) plus the attention head on the query's stage 3 (256 channels,
# 4x4 at 64 px: the paper's stage), trained on the default teacher's maps of the unlabelled
# train images (L = InfoNCE + KLD - NSS). Its views are MoCo v2's crop that carries the map
# along (no saliency constraint), so the loss is the only change.
_base_ = [
    '../mocov2/mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py',
    '../_base_/datasets/caltech101_bs64_mocov2-teacher-maps_cpu.py',
    '../_base_/plugins/teacher_attention_loss_resnet18.py',
]

model = dict(type='GuidedMoCo',
             attention_losses=dict(teacher={{_base_.teacher_attention_loss}}))
train_dataloader = dict(dataset={{_base_.plain_crop_dataset}})
