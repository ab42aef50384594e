# VARS's claim at CPU scale: attention as sparse reconstruction makes a ViT more robust. The
# same small ViT and DeiT-style recipe with self-attention (baseline: attn_cfgs=None) and
# with VARS-D attention, trained on 32 px BCCD cell crops for 15 epochs; scored on the
# config's own test set and by the frozen-feature tasks on Caltech-101 at 32 px (linear,
# kNN, corruptions).
#   python tools/analysis/harness.py configs/experiments/vars-d-vs-vit_cpu.py
name = 'vars-d-vs-vit_cpu'
description = 'VARS-D ViT vs self-attention ViT (BCCD cell crops, 32 px, 15 epochs).'
baseline = 'vit'
seeds = [0, 1, 2]
cfg_options = dict()
arms = [
    dict(name='vit', config='configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py',
         cfg_options={'model.backbone.attn_cfgs': None}),
    dict(name='vars-d', config='configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py'),
]
evaluation = dict(tasks=['linear', 'knn', 'corruption'], args=['--size', '32'], test=True)
metrics = ['test/accuracy/top1', 'linear/top1', 'corruption/mean15', 'corruption/mce']
# VARS's claim (Shi et al., ICLR 2023) that this scale can test: more robust to corruptions.
claims = [
    dict(arm='vars-d', metric='corruption/mce', direction='lower',
         paper='VARS-D is more robust than self-attention (ImageNet-C mCE)'),
]
