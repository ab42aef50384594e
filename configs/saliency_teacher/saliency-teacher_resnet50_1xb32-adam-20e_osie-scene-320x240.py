# The teacher at full size on the two human-fixation sets that ship beside the repository
# (OSIE + Scene saliency, 1,000 training images): ResNet-50 encoder from scratch (no
# label-trained weights) and the saliency decoder with a learned center bias, 320x240, KLD +
# CC + NSS, validated on both held-out splits against the center-bias baseline.
# CPU-size sibling (the teacher shipped in attn_plugins/teacher/weights):
# saliency-teacher_resnet18-w16_1xb16-adam-15e_osie-scene-128x96_cpu.py.
_base_ = [
    '../_base_/models/saliency_teacher_resnet50.py',
    '../_base_/datasets/saliency_teacher_osie-scene.py',
    '../_base_/schedules/saliency_teacher_adam_20e.py',
    '../_base_/default_runtime.py',
]

auto_scale_lr = dict(base_batch_size=32)
