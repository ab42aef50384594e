# The teacher-attention paper's supervised rows at CPU scale: a ResNet-18 classifier trained
# from scratch on Caltech-101's labels at 64 px for 30 epochs (baseline), and the same
# classifier + the attention head on the shipped default teacher's online maps. Scored on
# Caltech-101 test by the classifier itself (accuracy), by the frozen-feature tasks at 64 px
# (linear, kNN, the teacher paper's four corruptions and the 15: mCE against the baseline),
# and by Grad-CAM at 128 px against held-out salient-object masks and human fixations.
#   python tools/analysis/harness.py configs/experiments/supervised-vs-teacher_cpu.py
name = 'supervised-vs-teacher_cpu'
description = ('Supervised vs supervised + teacher attention (ResNet-18, Caltech-101 labels, '
               '64 px, 30 epochs).')
baseline = 'supervised'
seeds = [0, 1, 2]
cfg_options = dict()
train_pool = 'work_dirs/experiments/trainings'
arms = [
    dict(name='supervised', config='configs/teacher_attention/'
         'supervised_resnet18_1xb64-coslr-30e_caltech101-64px_cpu.py'),
    dict(name='supervised-teacher', config='configs/teacher_attention/'
         'supervised-teacher-attn_resnet18_1xb64-coslr-30e_caltech101-64px_cpu.py'),
]
evaluation = dict(
    tasks=['linear', 'knn', 'corruption', 'grounding', 'fixations'],
    args=['--size', '64', '--grounding-size', '128'], test=True)
metrics = ['test/accuracy/top1', 'linear/top1', 'corruption/mean_reported',
           'corruption/mean15', 'corruption/mce', 'grounding/nss', 'grounding/center_bias_nss',
           'fixations/nss', 'fixations/center_bias_nss']
# The teacher-attention paper's supervised rows (Yao et al., CVPR 2023): the teacher's
# attention labels help a supervised classifier too, on accuracy and on the corruptions.
claims = [
    dict(arm='supervised-teacher', metric='test/accuracy/top1', direction='higher',
         paper='supervised + teacher attention > supervised, accuracy'),
    dict(arm='supervised-teacher', metric='corruption/mean_reported', direction='higher',
         paper='supervised + teacher attention > supervised, four corruptions'),
]
