# CPU-size sibling of cast-release-compat_resnet50_8xb32-coslr-200e_coco.py.
_base_ = ['./cast_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py']
model = dict(momentum=1 - 0.999**2, attention_losses=dict(cast=dict(release_compat=True)))
