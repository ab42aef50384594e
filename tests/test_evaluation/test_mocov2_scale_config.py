"""The MoCo v2 CPU scale of the mocov2-vs-random experiment: its unlabelled pool is exactly
the Caltech-101 train list (no test image), and the model computes its loss."""
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS, MODELS
from mmpretrain.structures import DataSample

import attn_plugins  # noqa: F401
from tests.conftest import REPO_ROOT, shared_data_path

CONFIG = REPO_ROOT / 'configs/mocov2/mocov2_resnet18_1xb64-coslr-30e_caltech101-unlabelled_cpu.py'


def test_pool_is_the_caltech_train_list_without_labels():
    root = shared_data_path('caltech101')
    cfg = Config.fromfile(str(CONFIG))
    init_default_scope('mmpretrain')
    dataset_cfg = cfg.train_dataloader.dataset
    dataset_cfg.data_root = str(root.parent) + '/'
    dataset = DATASETS.build(dataset_cfg)
    train = (root / 'train.txt').read_text().split()
    test = set((root / 'test.txt').read_text().split())
    paths = [dataset.get_data_info(i)['img_path'] for i in range(len(dataset))]
    assert len(paths) == len(train) == 6095
    relative = [p.split('caltech101/images/')[1] for p in paths]
    assert relative == train and not test & set(relative)
    assert set(dataset.get_data_info(0)) == {'img_path', 'sample_idx'}  # no label


def test_model_computes_its_loss():
    cfg = Config.fromfile(str(CONFIG))
    assert cfg.model.queue_len % cfg.train_dataloader.batch_size == 0
    assert cfg.model.queue_len < 6095
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    views = [torch.randn(4, 3, 64, 64) for _ in range(2)]
    losses = model.loss(views, [DataSample() for _ in range(4)])
    assert torch.isfinite(losses['loss'])
