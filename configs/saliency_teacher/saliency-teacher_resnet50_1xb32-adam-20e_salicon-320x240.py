# The teacher at full scale: ResNet-50 encoder trained from scratch (random init, as in Yao et
# al. 2023; no ImageNet-label weights, which would leak label information into the student)
# and the saliency decoder with a learned center bias, trained on SALICON-format fixations at
# 320x240 with KLD + CC + NSS, validated with SaliencyMetric against the center-bias baseline.
# The students' full-scale configs (configs/teacher_attention/) label with this teacher.
# Variant with a supervised ImageNet encoder (leaks labels; for comparison only):
# saliency-teacher_resnet50-in1k-supervised-init_1xb32-adam-20e_salicon-320x240.py.
# CPU-size sibling: saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py.
_base_ = [
    '../_base_/models/saliency_teacher_resnet50.py',
    '../_base_/datasets/saliency_teacher_salicon.py',
    '../_base_/schedules/saliency_teacher_adam_20e.py',
    '../_base_/default_runtime.py',
]

auto_scale_lr = dict(base_batch_size=32)
