# Multi-label classifier for ATCON on Pascal VOC: ImageNet-pretrained ResNet-50, global
# average pooling, one linear layer with a sigmoid BCE loss per class. The supervised
# baseline uses it as is (ImageClassifier); the ATCON configs switch the type to
# ATCONClassifier and add the mode, so both load each other's checkpoints.
# Every convolution pads by reflection, as in every ATCON script of the authors' release:
# with zero padding the image border is a constant the network can key on, and the
# consistency loss can then be met by a Grad-CAM map that ignores the image (measured on
# BCCD: maps of different images correlating 0.999). Padding holds no weight, so
# zero-padded checkpoints (e.g. ImageNet's) load unchanged; conv_cfg=None restores zeros.
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet',
        depth=50,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch',
        conv_cfg=dict(type='Conv2d', padding_mode='reflect'),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
            'resnet50_8xb32_in1k_20210831-ea4938fc.pth',
            prefix='backbone')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='MultiLabelLinearClsHead',
        num_classes=20,
        in_channels=2048,
        loss=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0)),
)
