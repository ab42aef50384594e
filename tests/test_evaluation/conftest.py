"""Fixtures of the evaluation tests: Caltech-101's layout in miniature, random checkpoints."""
import numpy as np
import pytest
import torch
from PIL import Image

from tests.conftest import REPO_ROOT

#: A config whose backbone is a ResNet-18 (the MoCo v2 CPU pretraining config).
R18_CONFIG = str(REPO_ROOT / 'configs/mocov2/mocov2_resnet18_1xb32-coslr-4e_bsds-osie_cpu.py')

#: Classes of the miniature sets.
CLASSES = ('blue', 'green', 'red')


def colour_class_set(root, tint: int):
    """Three colour classes (each image random noise in [0, 60) plus ``tint`` in its
    class's channel) and a background folder the protocol leaves out; 8 train and 4 test
    images per folder, 40x48 px, listed in ``train.txt`` / ``test.txt``."""
    rng = np.random.RandomState(0)
    lines = dict(train=[], test=[])
    for channel, name in enumerate(CLASSES + ('BACKGROUND_Google', )):
        (root / 'images' / name).mkdir(parents=True)
        for i in range(12):
            img = (rng.rand(48, 40, 3) * 60).astype(np.uint8)
            img[..., 2 - channel % 3] += tint  # RGB: blue, green, red are channels 2, 1, 0
            Image.fromarray(img).save(root / 'images' / name / f'image_{i:04d}.jpg')
            lines['train' if i < 8 else 'test'].append(f'{name}/image_{i:04d}.jpg')
    for split, paths in lines.items():
        (root / f'{split}.txt').write_text('\n'.join(paths) + '\n')
    return root


@pytest.fixture(scope='session')
def tiny_set(tmp_path_factory):
    """Strongly tinted colour classes: any encoder separates them."""
    return colour_class_set(tmp_path_factory.mktemp('tiny_caltech'), tint=150)


@pytest.fixture(scope='session')
def faint_set(tmp_path_factory):
    """Barely tinted colour classes: kNN scores between chance and perfect."""
    return colour_class_set(tmp_path_factory.mktemp('faint_caltech'), tint=2)


def random_backbone_checkpoint(path, seed, layout='mmengine'):
    """A ResNet-18 checkpoint with every backbone tensor drawn at random (so a loaded
    weight cannot be a fresh initialisation): mmengine layout or a torchvision state dict."""
    from attn_plugins.evaluation.frozen import build_frozen_encoder

    encoder, _ = build_frozen_encoder(R18_CONFIG, 'random', seed=seed)
    g = torch.Generator().manual_seed(seed)
    state = {k: (torch.rand(v.shape, generator=g) + 0.5 if k.endswith('running_var') else
                 torch.randn(v.shape, generator=g) * 0.05 if v.is_floating_point() else v)
             for k, v in encoder.backbone.state_dict().items()}
    if layout == 'mmengine':
        saved = dict(meta=dict(epoch=4, seed=np.int64(seed)),
                     state_dict={**{f'backbone.{k}': v for k, v in state.items()},
                                 'neck.mlp.0.weight': torch.zeros(2, 2),
                                 'encoder_k.0.conv1.weight': torch.zeros(1)})
    else:  # torchvision: bare names plus the classifier
        saved = {**state, 'fc.weight': torch.zeros(1000, 512), 'fc.bias': torch.zeros(1000)}
    torch.save(saved, path)
    return state
