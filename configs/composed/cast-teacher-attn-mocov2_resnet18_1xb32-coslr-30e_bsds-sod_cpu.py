# CPU-size sibling of cast-teacher-attn-mocov2_resnet50_8xb32-coslr-200e_coco.py: the CAST
# CPU recipe (ResNet-18 with output stride 16, the 200 BSDS500 photos with SOD masks, 96 px,
# 30 epochs) with the teacher-attention head on stage 3 (256 channels, 6x6 at 96 px).
_base_ = [
    '../cast/cast-mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py',
    '../_base_/plugins/teacher_attention_loss_resnet18.py',
]
model = dict(attention_losses=dict(teacher={{_base_.teacher_attention_loss}}))
