"""--pretrained refuses a checkpoint of another architecture before training starts."""
import pytest
import torch

pytest.importorskip('mmdet')

from mmengine.config import Config  # noqa: E402

from attn_plugins.engine.transfer import MIN_PRETRAINED_MATCH, set_pretrained  # noqa: E402
from tests.conftest import REPO_ROOT, run_tool  # noqa: E402
from tests.test_transfer.common import DET_CONFIGS, build_model  # noqa: E402
from tests.test_transfer.test_transfer_configs import save_pretraining_checkpoint  # noqa: E402

C4_BCCD = REPO_ROOT / DET_CONFIGS / 'faster-rcnn_r18-c4_1xb4-300i_bccd-320_cpu.py'
VARS_CLS_CPU = 'configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py'
MOCO_R18_CPU = 'configs/mocov2/mocov2_resnet18_1xb32-coslr-4e_bsds-osie_cpu.py'
MOCO_R50 = 'configs/mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py'


@pytest.fixture(scope='module')
def checkpoints(tmp_path_factory):
    """``{name: (path, state_dict)}``: a VARS ViT classifier, a MoCo ResNet-18 and -50."""
    root = tmp_path_factory.mktemp('pretrained')
    found = {}
    for name, config in (('vars', VARS_CLS_CPU), ('r18', MOCO_R18_CPU), ('r50', MOCO_R50)):
        path = root / f'{name}.pth'
        found[name] = (str(path), save_pretraining_checkpoint(config, path))
    return found


def test_vars_checkpoint_for_a_resnet_detector_fails_naming_the_share(checkpoints):
    path, _ = checkpoints['vars']
    with pytest.raises(ValueError) as error:
        set_pretrained(Config.fromfile(C4_BCCD), path)
    message = str(error.value)
    assert MIN_PRETRAINED_MATCH == 0.9
    assert message.startswith('--pretrained: only 0 of the ')
    assert f'tensors of model.backbone (ResNet) match {path}' in message
    assert '(0.0%)' in message and 'at least 90% must match' in message
    assert 'missing from the checkpoint: conv1.weight, bn1.weight' in message
    assert 'backbone.patch_embed.' in message or 'backbone.layers.' in message


def test_resnet50_checkpoint_for_a_resnet18_detector_lists_shape_mismatches(checkpoints):
    path, pretrained = checkpoints['r50']
    with pytest.raises(ValueError) as error:
        set_pretrained(Config.fromfile(C4_BCCD), path)
    message = str(error.value)
    # The stem has the same shapes in both depths; the first bottleneck conv does not.
    conv = pretrained['backbone.layer1.0.conv1.weight'].shape
    assert f'layer1.0.conv1.weight: checkpoint {tuple(conv)} vs model (64, 64, 3, 3)' in message
    assert 'shape differs' in message and 'at least 90% must match' in message


def test_matching_checkpoint_passes_and_is_loaded(checkpoints):
    path, pretrained = checkpoints['r18']
    cfg = Config.fromfile(C4_BCCD)
    assert set_pretrained(cfg, path) == ['model.backbone', 'model.roi_head.shared_head']
    model = build_model(cfg)
    model.init_weights()
    state = model.state_dict()
    assert torch.equal(state['backbone.layer2.1.conv2.weight'],
                       pretrained['backbone.layer2.1.conv2.weight'])
    assert torch.equal(state['roi_head.shared_head.layer4.0.conv1.weight'],
                       pretrained['backbone.layer4.0.conv1.weight'])


def test_min_match_is_a_share_and_zero_turns_the_check_off(checkpoints):
    path, _ = checkpoints['vars']
    with pytest.raises(ValueError, match='must be a share in'):
        set_pretrained(Config.fromfile(C4_BCCD), path, min_match=90)
    assert set_pretrained(Config.fromfile(C4_BCCD), path, min_match=0)[0] == 'model.backbone'


def test_train_tool_fails_before_training(checkpoints, tmp_path):
    path, _ = checkpoints['vars']
    work = tmp_path / 'work'
    proc = run_tool(['tools/train.py', C4_BCCD, '--work-dir', work, '--pretrained', path],
                    check=False)
    assert proc.returncode != 0
    assert 'ValueError: --pretrained: only 0 of the' in proc.stderr
    assert not work.exists()  # no runner was built: no log, no checkpoint
