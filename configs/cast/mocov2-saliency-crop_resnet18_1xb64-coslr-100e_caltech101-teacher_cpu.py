# CAST's crop ablation at the Caltech-101 CPU scale: MoCo v2 exactly as
# mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py (the scale at which MoCo v2
# beats random weights), with saliency-constrained crops in place of RandomResizedCrop. The
# saliency is the shipped default teacher's map of each unlabelled train image, written once
# (a prerequisite of configs/experiments/cast-vs-crop-vs-mocov2_cpu.py; the command is in the
# data base). Maps are kept at a quarter of the 64-px view (16 px): CAST's Grad-CAM grid is 4x4.
_base_ = [
    '../mocov2/mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py',
    '../_base_/datasets/caltech101_bs64_mocov2-teacher-maps_cpu.py',
]

train_dataloader = dict(dataset={{_base_.salient_crop_dataset}})
