"""mmengine checkpoints load under torch's weights-only default; other globals stay refused."""
import os
import pickle

import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

import attn_plugins  # noqa: F401  (installs the allow-list)


def mmengine_style_checkpoint(state_dict):
    """What mmengine's Runner.save_checkpoint writes, in miniature."""
    hub = MessageHub.get_instance('test_checkpoint')
    for step in range(3):
        hub.update_scalar('train/loss', 1.0 / (step + 1))
    hub.update_info('iter', 3)
    return dict(meta=dict(epoch=1, iter=3, seed=0), state_dict=state_dict,
                message_hub=hub.state_dict())


def test_message_hub_history_round_trips_weights_only(tmp_path):
    path = tmp_path / 'ckpt.pth'
    torch.save(mmengine_style_checkpoint({'w': torch.ones(2)}), path)
    loaded = torch.load(path, weights_only=True)
    history = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(history, HistoryBuffer)
    assert history.mean() == pytest.approx((1 + 1 / 2 + 1 / 3) / 3)
    assert history.min() == pytest.approx(1 / 3)


def test_pretrained_init_from_own_checkpoint(tmp_path):
    from mmpretrain.models import ResNet

    source = ResNet(depth=18)
    path = tmp_path / 'pretrain.pth'
    torch.save(mmengine_style_checkpoint(
        {f'backbone.{k}': v for k, v in source.state_dict().items()}), path)
    target = ResNet(depth=18, init_cfg=dict(type='Pretrained', checkpoint=str(path),
                                            prefix='backbone.'))
    target.init_weights()
    for key, value in source.state_dict().items():
        assert torch.equal(target.state_dict()[key], value), key


class GetattrOutsideHistoryBuffer:
    def __reduce__(self):
        return getattr, (HistoryBuffer, '__init__')


class CallsOsSystem:
    def __reduce__(self):
        return os.system, ('echo unsafe',)


@pytest.mark.parametrize('payload', [GetattrOutsideHistoryBuffer(), CallsOsSystem()])
def test_other_globals_are_still_refused(tmp_path, payload):
    path = tmp_path / 'crafted.pth'
    torch.save({'state_dict': {}, 'x': payload}, path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
