# ATCON's consistency as a plugin on the supervised few-shot classifier: step 1 of the ATCON
# protocol (../atcon/supervised_resnet50_1xb16-adam-100e_voc2012-16shot.py: multi-label BCE on
# 16 positives and 16 negatives per class) with the consistency loss added on every labelled
# batch (loss_cls + 1.0 * loss_consistency, BatchNorm in eval mode for the consistency
# passes), in one stage instead of ATCONClassifier's two. The paper's protocol (consistency
# on unlabelled images, alternating or combined loops) stays in ../atcon/.
# CPU-size sibling: supervised-atcon-loss_resnet18_1xb8-adam-100e_bccd-8shot_cpu.py.
_base_ = ['../atcon/supervised_resnet50_1xb16-adam-100e_voc2012-16shot.py']
model = dict(
    type='GuidedImageClassifier',
    attention_losses=dict(
        atcon=dict(type='ATCONConsistencyLoss', loss_weight=1.0, mask_intensity=8.0)))
