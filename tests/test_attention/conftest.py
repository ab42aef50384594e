"""Fixtures for the attention tests: an mmpretrain ResNet-18 classifier, when the stack is there."""
import importlib.util
import os

import pytest
import torch
from torch import nn


class ResNetClassifier(nn.Module):
    """mmpretrain ``ResNet(depth=18)`` + global average pooling + linear head."""

    def __init__(self, num_classes=5):
        super().__init__()
        from mmpretrain.models import ResNet
        self.backbone = ResNet(depth=18)
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        feats = self.backbone(x)[-1]  # (B, 512, h, w), last stage
        return self.fc(feats.mean(dim=(2, 3)))


@pytest.fixture
def resnet18_classifier():
    """An mmpretrain ResNet-18 classifier in eval mode with non-trivial BN statistics.

    Skips when mmpretrain is not installed (fails under ``CI=true``, where it always is).
    """
    if importlib.util.find_spec('mmpretrain') is None:
        reason = 'mmpretrain is not installed (the OpenMMLab stack is still being set up)'
        if os.environ.get('CI', '').lower() == 'true':
            pytest.fail(reason)
        pytest.skip(reason)
    torch.manual_seed(0)
    model = ResNetClassifier()
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
    return model.eval()
