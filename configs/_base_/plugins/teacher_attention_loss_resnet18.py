# The teacher-attention loss fragment for a ResNet-18's stage 3 (256 channels), CPU size.
_base_ = ['./teacher_attention_loss_resnet50.py']
teacher_attention_loss = dict(attn_head=dict(in_channels=256, hid_channels=64))
