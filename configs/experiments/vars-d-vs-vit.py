# Full scale of vars-d-vs-vit_cpu.py: ViT-S/16 with self-attention vs VARS-D on ImageNet
# (DeiT recipe, 8 GPUs x 128, 300 epochs); evaluation at 224 px. Configs only: untested at
# this scale.
_base_ = ['./vars-d-vs-vit_cpu.py']
name = 'vars-d-vs-vit'
description = 'VARS-D ViT-S/16 vs ViT-S/16 (ImageNet, 300 epochs).'
results_dir = None  # the CPU spec's kept runs are not this scale's
arms = [
    dict(name='vit', config='configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k.py',
         cfg_options={'model.backbone.attn_cfgs': None}),
    dict(name='vars-d', config='configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k.py'),
]
evaluation = dict(tasks=['linear', 'knn', 'corruption', 'fixations'],
                  args=['--size', '224', '--batch-size', '128'], test=True)
