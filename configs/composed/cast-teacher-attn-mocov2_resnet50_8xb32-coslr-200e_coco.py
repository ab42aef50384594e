# Two attention losses on one model: CAST (Grad-CAM grounding of q . k_masked on the last
# stage, saliency-constrained crops) and the teacher-attention head on stage 3, on mmpretrain's
# MoCo v2. One map per image serves both: CAST thresholds it at half range for its masks, the
# teacher loss reads it as the density m_t. With maps from a saliency teacher
# (tools/gen_saliency.py) this is "CAST with teacher masks + teacher attention".
# CPU-size sibling: cast-teacher-attn-mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py.
# Its parts: ../cast/cast-mocov2_resnet50_8xb32-coslr-200e_coco.py (CAST alone) and
# `--cfg-options model.attention_losses.cast=None` (teacher attention alone).
_base_ = [
    '../cast/cast-mocov2_resnet50_8xb32-coslr-200e_coco.py',
    '../_base_/plugins/teacher_attention_loss_resnet50.py',
]
model = dict(attention_losses=dict(teacher={{_base_.teacher_attention_loss}}))
