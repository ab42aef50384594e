# The teacher-attention paper's supervised row at the Caltech-101 CPU scale: the classifier
# of supervised-teacher-attn_resnet18_1xb64-coslr-30e_caltech101-64px_cpu.py (ResNet-18 from
# scratch, labelled Caltech-101 train at 64 px, 30 epochs) without the attention loss and
# without the online teacher; everything else is that config's.
_base_ = ['./supervised-teacher-attn_resnet18_1xb64-coslr-30e_caltech101-64px_cpu.py']

custom_hooks = []
model = dict(attention_losses=dict(teacher=None))
