# One composed configuration against its two parts, at the CPU scale where MoCo v2 beats
# random weights (100 epochs on the 6,095 unlabelled Caltech-101 train images, ResNet-18,
# 64 px): MoCo v2 (baseline), CAST (saliency crops + Grad-CAM grounding), MoCo v2 + teacher
# attention, and both attention losses on one model, every arm on the default teacher's maps
# of the same images. No paper claims the combination; the claims below are the hypothesis
# that composing the plugins adds up (the composed model above each part). Every training
# but the composed one is shared with cast-vs-crop-vs-mocov2_cpu and mocov2-vs-teacher-attn_cpu
# through the training pool; evaluated as they are.
#   python tools/analysis/harness.py configs/experiments/cast-teacher-attn-vs-parts_cpu.py
_base_ = ['./mocov2-vs-teacher-attn_cpu.py']
name = 'cast-teacher-attn-vs-parts_cpu'
description = ('CAST + teacher attention vs CAST vs teacher attention vs MoCo v2 (ResNet-18, '
               'unlabelled Caltech-101 train with the default teacher\'s maps, 100 epochs, '
               '64 px).')
results_dir = 'results/cast_teacher_attn_vs_parts_caltech101'  # finished runs kept here (committed)
arms = [
    dict(name='mocov2',
         config='configs/mocov2/mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py'),
    dict(name='cast',
         config='configs/cast/cast-mocov2_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py'),
    dict(name='teacher-attn', config='configs/teacher_attention/'
         'mocov2-teacher-attn_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py'),
    dict(name='cast+teacher-attn', config='configs/composed/'
         'cast-teacher-attn-mocov2_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py'),
]
metrics = ['linear/top1', 'knn/top1', 'fewshot/5shot', 'corruption/mean_reported',
           'corruption/mean15', 'grounding/nss', 'grounding/center_bias_nss', 'fixations/nss',
           'fixations/center_bias_nss']
claims = [
    dict(arm='cast+teacher-attn', metric='linear/top1', direction='higher', against='cast',
         paper='(ours) composing the plugins adds up: above CAST alone'),
    dict(arm='cast+teacher-attn', metric='linear/top1', direction='higher',
         against='teacher-attn', paper='(ours) composing the plugins adds up: above teacher '
         'attention alone'),
]
