# CPU-size MoCo v2 model matching cast_resnet18_cpu.py: ResNet-18, output stride 16, 128
# keys (fewer than the 200 training images).
_base_ = ['./mocov2_resnet50.py']
model = dict(
    queue_len=128,
    backbone=dict(depth=18, strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2)),
    neck=dict(in_channels=512, hid_channels=512))
