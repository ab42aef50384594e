"""Fixtures of the evaluation tests: Caltech-101's layout in miniature."""
import numpy as np
import pytest
from PIL import Image

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
