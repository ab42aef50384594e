# Control arm for simclr-teacher-attn_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py: the same
# model, attention head, loss, photos and views, trained toward a map with no content, the
# centre prior of each photo (a Gaussian of 0.25 of each side, the centre bias every saliency
# score is compared with), cropped and flipped with its view like the teacher's maps. If
# teacher attention beats SimCLR and this arm does as well, the gain comes from predicting a
# spatial map at all, not from where people look (the Caltech-101 scale's control is
# mocov2-centre-attn_resnet18_1xb64-coslr-100e_caltech101-centre_cpu.py). The photos are
# those the teacher labelled (the dataset still lists them by their maps, which it never
# loads), so OSIE's held-out images stay out.
_base_ = './simclr-teacher-attn_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py'

train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='EstimateSaliency', method='center_bias'),
    dict(type='SaliencyMultiView', num_views=2, transforms=[{{_base_.view_pipeline}}]),
    dict(type='PackSaliencyInputs'),
]))
