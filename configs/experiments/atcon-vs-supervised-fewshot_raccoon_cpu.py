# ATCON on natural photos: the raccoon set (one class, present in every image, with boxes).
# F1 and mAP cannot tell the arms apart here (answering "present" scores 100), so the claim
# tested is ATCON's other one: better attention maps, measured as the IoU of the Grad-CAM
# box with the raccoon boxes (weakly supervised localisation) on the 40 test images, beside
# the whole image as the box (the trivial answer a map that covers the image scores).
# Supervised BCE on 8 train images (baseline) against ATCON combined and alternating
# (all 160 train images as the unlabelled pool), ResNet-18 from scratch at 96 px, 5 seeds; every
# arm tested with the consistency config's settings (ATCONClassifier, attention metrics).
# The full-scale counterpart is atcon-vs-supervised-fewshot.py (VOC 2012).
#   python tools/analysis/harness.py configs/experiments/atcon-vs-supervised-fewshot_raccoon_cpu.py
name = 'atcon-vs-supervised-fewshot_raccoon_cpu'
description = ('ATCON (combined, alternating) vs supervised BCE on 8 raccoon photos: '
               'Grad-CAM localisation of the raccoon (ResNet-18, 96 px).')
baseline = 'supervised'
seeds = [0, 1, 2, 3, 4]
_scored_by = 'configs/atcon/atcon-consistency_resnet18_1xb8-adam-2e_raccoon_cpu.py'
arms = [
    dict(name='supervised',
         config='configs/atcon/supervised_resnet18_1xb8-adam-100e_raccoon-8shot_cpu.py',
         eval_config=_scored_by),
    dict(name='atcon-combined',
         config='configs/atcon/atcon-combined_resnet18_1xb8-adam-100i_raccoon-8shot_cpu.py',
         eval_config=_scored_by),
    dict(name='atcon-alternating',
         config='configs/atcon/atcon-alternating_resnet18_1xb8-adam-200i_raccoon-8shot_cpu.py',
         eval_config=_scored_by),
]
evaluation = dict(tasks=[], test=True)
metrics = ['test/attention/loc_iou', 'test/attention/loc_iou_whole_image',
           'test/attention/loc_acc', 'test/attention/loc_acc_whole_image',
           'test/attention/consistency',
           'test/collapse/cam_cross_corr', 'test/multi-label/f1-score',
           'test/collapse/all_present_f1']
claims = [
    dict(arm='atcon-combined', metric='test/attention/loc_iou', direction='higher',
         trivial='test/attention/loc_iou_whole_image',
         paper='ATCON improves the attention maps'),
    dict(arm='atcon-alternating', metric='test/attention/loc_iou', direction='higher',
         trivial='test/attention/loc_iou_whole_image',
         paper='ATCON improves the attention maps'),
]
