# CAST at the Caltech-101 CPU scale: the saliency-crop MoCo v2 of
# mocov2-saliency-crop_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py plus CAST's Grad-CAM
# grounding loss, nothing else changed (same optimiser and schedule, no gradient clipping), so
# the difference between the two is the loss alone. The release weighs 0.25 * L_moco +
# 0.75 * L_cast; here MoCo keeps its weight 1 (the baseline's learning rate stays meaningful)
# and the grounding term keeps the release's ratio, 3. A 64-px view leaves ResNet-18's last
# stage a 2x2 grid, so Grad-CAM reads layer3 (4x4), the layer the released code would see at
# 128 px; the key masks are the teacher maps at 16 px.
_base_ = './mocov2-saliency-crop_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py'

model = dict(
    type='GuidedMoCo',
    algorithm_weight=1.0,
    attention_losses=dict(cast=dict(type='CASTGroundingLoss', loss_weight=3.0,
                                    layer='backbone.layer3', mask_threshold=0.5)))
