# Row "supervised": mmpretrain's ResNet-50 ImageNet classifier (8 GPUs x 32 images, SGD 0.1,
# 100 epochs), the same model as the teacher row with the teacher loss turned off.
# CPU-size sibling: supervised_resnet18_1xb32-coslr-10e_bccd-crops_cpu.py.
_base_ = [
    '../_base_/models/teacher_classifier_resnet50.py',
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/schedules/imagenet_bs256.py',
    '../_base_/default_runtime.py',
]

model = dict(attention_losses=dict(teacher=None))
# mmpretrain's schedule with the loop that resumes inside an epoch (by_epoch dropped: the
# runner takes a loop type or by_epoch, not both).
train_cfg = dict(_delete_=True, type='ResumableEpochBasedTrainLoop', max_epochs=100,
                 val_interval=1)
