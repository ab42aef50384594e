# The teacher at full scale: ResNet-50 encoder with ImageNet weights and the saliency decoder
# with a learned center bias, trained on SALICON-format fixations at 320x240 with
# KLD + CC + NSS, validated with SaliencyMetric against the center-bias baseline.
# CPU-size sibling: saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py.
_base_ = [
    '../_base_/models/saliency_teacher_resnet50.py',
    '../_base_/datasets/saliency_teacher_salicon.py',
    '../_base_/schedules/saliency_teacher_adam_20e.py',
    '../_base_/default_runtime.py',
]

# The pretrained encoder learns ten times slower than the new decoder.
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
auto_scale_lr = dict(base_batch_size=32)
