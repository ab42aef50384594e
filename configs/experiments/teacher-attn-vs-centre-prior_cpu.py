# A control for mocov2-vs-teacher-attn_cpu.py (ours, no paper's): does teacher attention help
# because its maps say where people look, or because the head has any spatial map to predict?
# The centre-prior arm trains the same head with the same loss and views toward each image's
# centre prior (a map with no content: the centre bias every saliency score is compared with),
# cropped with its view. Random weights, MoCo v2 and teacher attention are the other
# experiment's runs (shared through the pool); the same evaluation.
#   python tools/analysis/harness.py configs/experiments/teacher-attn-vs-centre-prior_cpu.py
_base_ = ['./mocov2-vs-teacher-attn_cpu.py']
name = 'teacher-attn-vs-centre-prior_cpu'
description = ('MoCo v2 + teacher attention vs the same head trained on a centre prior, with '
               'MoCo v2 and random weights beside (ResNet-18, unlabelled Caltech-101 train, '
               '100 epochs, 64 px).')
results_dir = 'results/teacher_attn_vs_centre_prior_caltech101'  # finished runs (committed)
arms = [
    dict(name='random', checkpoint='random', config='configs/mocov2/'
         'mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py'),
    dict(name='mocov2', config='configs/mocov2/'
         'mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py'),
    dict(name='teacher-attn', config='configs/teacher_attention/'
         'mocov2-teacher-attn_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py'),
    dict(name='centre-attn', config='configs/teacher_attention/'
         'mocov2-centre-attn_resnet18_1xb64-coslr-100e_caltech101-centre_cpu.py'),
]
claims = [
    dict(arm='teacher-attn', metric='linear/top1', direction='higher', against='centre-attn',
         paper='(ours) the teacher\'s maps, not any map: teacher attention above the '
         'centre-prior control, linear accuracy'),
    dict(arm='teacher-attn', metric='corruption/mean_reported', direction='higher',
         against='centre-attn', paper='(ours) the teacher\'s maps, not any map: teacher '
         'attention above the centre-prior control, four corruptions'),
]
