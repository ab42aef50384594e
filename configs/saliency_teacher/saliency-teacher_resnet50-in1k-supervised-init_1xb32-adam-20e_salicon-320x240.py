# NOT the paper's teacher: the full-scale teacher with its ResNet-50 encoder initialised from
# torchvision's supervised ImageNet-1k weights (trained on ImageNet labels). A student
# pretrained on ImageNet with this teacher's maps receives label information through them, so
# its linear-probe accuracy is no longer a self-supervised result: use it only to measure how
# much the initialisation matters, never as the "+ teacher attention" row.
# The default, from-scratch teacher:
# saliency-teacher_resnet50_1xb32-adam-20e_salicon-320x240.py.
# CPU-size sibling: saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py (from scratch:
# the CPU configs download no weights).
_base_ = ['./saliency-teacher_resnet50_1xb32-adam-20e_salicon-320x240.py']

model = dict(
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')))
# The pretrained encoder learns ten times slower than the new decoder.
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
