# Full scale of atcon-vs-supervised-fewshot_cpu.py: ResNet-50 on 16 images per class of VOC
# 2012. Configs only: untested at this scale.
_base_ = ['./atcon-vs-supervised-fewshot_cpu.py']
name = 'atcon-vs-supervised-fewshot'
description = 'ATCON vs supervised BCE on 16 images per class of VOC 2012 (ResNet-50).'
_scored_by = 'configs/atcon/atcon-consistency_resnet50_1xb16-adam-5e_voc2012.py'
arms = [
    dict(name='supervised',
         config='configs/atcon/supervised_resnet50_1xb16-adam-100e_voc2012-16shot.py',
         eval_config=_scored_by),
    dict(name='atcon-combined',
         config='configs/atcon/atcon-combined_resnet50_1xb16-adam-2000i_voc2012-16shot.py',
         eval_config=_scored_by),
    dict(name='atcon-alternating',
         config='configs/atcon/atcon-alternating_resnet50_1xb16-adam-2000i_voc2012-16shot.py',
         eval_config=_scored_by),
]
