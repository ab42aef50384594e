# CPU-size sibling of supervised-atcon-loss_resnet50_1xb16-adam-100e_voc2012-16shot.py: the
# BCCD step 1 (../atcon/supervised_resnet18_1xb8-adam-100e_bccd-8shot_cpu.py: ResNet-18 from
# scratch, 8 positives and 8 negatives per class, 96 px) with the consistency loss added.
_base_ = ['../atcon/supervised_resnet18_1xb8-adam-100e_bccd-8shot_cpu.py']
model = dict(
    type='GuidedImageClassifier',
    attention_losses=dict(
        atcon=dict(type='ATCONConsistencyLoss', loss_weight=1.0, mask_intensity=8.0)))
