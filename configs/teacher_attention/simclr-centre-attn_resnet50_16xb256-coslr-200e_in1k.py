# Control for simclr-teacher-attn_resnet50_16xb256-coslr-200e_in1k.py: the same model,
# attention head, loss and views, trained toward a map with no content, the centre prior of
# each image (a Gaussian of 0.25 of each side), instead of the teacher's maps; no maps on disk.
# CPU scale: simclr-centre-attn_resnet18_1xb32-coslr-10e_bsds-osie-centre_cpu.py.
_base_ = './simclr-teacher-attn_resnet50_16xb256-coslr-200e_in1k.py'

train_dataloader = dict(dataset=dict(
    _delete_=True,  # an ImageFolder of the same images: no saliency folder to read
    type='ImageFolder',
    data_root={{_base_.data_root}},
    img_dirs='train',
    pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='EstimateSaliency', method='center_bias'),
        dict(type='SaliencyMultiView', num_views=2, transforms=[{{_base_.view_pipeline}}]),
        dict(type='PackSaliencyInputs'),
    ]))
