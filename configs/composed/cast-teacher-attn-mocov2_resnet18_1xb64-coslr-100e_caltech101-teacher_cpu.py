# CAST + teacher attention at the Caltech-101 CPU scale, against its two parts (configs/
# experiments/cast-teacher-attn-vs-parts_cpu.py): CAST as ../cast/cast-mocov2_resnet18_1xb64-
# coslr-100e_caltech101-teacher_cpu.py plus the teacher-attention head of ../teacher_attention/
# mocov2-teacher-attn_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py (stage 3), both
# reading the default teacher's map of each view: CAST thresholds it for its crop and key
# mask, the teacher loss reads it as the density.
_base_ = [
    '../cast/cast-mocov2_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py',
    '../_base_/plugins/teacher_attention_loss_resnet18.py',
]

model = dict(attention_losses=dict(teacher={{_base_.teacher_attention_loss}}))
