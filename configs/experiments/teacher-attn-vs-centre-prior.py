# Full scale of teacher-attn-vs-centre-prior_cpu.py: MoCo v2 ResNet-50 on ImageNet, 200 epochs
# (8 GPUs), with the attention head on the teacher's maps of ImageNet or on each image's
# centre prior; evaluated as mocov2-vs-teacher-attn.py. Configs only: untested at this scale.
_base_ = ['./mocov2-vs-teacher-attn.py']
name = 'teacher-attn-vs-centre-prior'
description = ('MoCo v2 + teacher attention vs the same head on a centre prior (ResNet-50, '
               'ImageNet, 200 epochs).')
arms = [
    dict(name='random', checkpoint='random',
         config='configs/mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py'),
    dict(name='mocov2', config='configs/mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py'),
    dict(name='teacher-attn',
         config='configs/teacher_attention/mocov2-teacher-attn_resnet50_8xb32-coslr-200e_in1k.py'),
    dict(name='centre-attn',
         config='configs/teacher_attention/mocov2-centre-attn_resnet50_8xb32-coslr-200e_in1k.py'),
]
claims = [
    dict(arm='teacher-attn', metric='linear/top1', direction='higher', against='centre-attn',
         paper='(ours) the teacher\'s maps, not any map: teacher attention above the '
         'centre-prior control, linear accuracy'),
    dict(arm='teacher-attn', metric='corruption/mean_reported', direction='higher',
         against='centre-attn', paper='(ours) the teacher\'s maps, not any map: teacher '
         'attention above the centre-prior control, four corruptions'),
]
