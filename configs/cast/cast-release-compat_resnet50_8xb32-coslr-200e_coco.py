# CAST exactly as the released code computes it, for an A/B against
# cast_resnet50_8xb32-coslr-200e_coco.py: one cosine over the flattened batch, the query mask
# point-sampled onto the Grad-CAM grid (bilinear, align_corners=True), and two key-encoder
# EMA steps per iteration (the release runs its MoCo forward twice per step: 1 - 0.999 ** 2).
_base_ = ['./cast_resnet50_8xb32-coslr-200e_coco.py']
model = dict(momentum=1 - 0.999**2, attention_losses=dict(cast=dict(release_compat=True)))
