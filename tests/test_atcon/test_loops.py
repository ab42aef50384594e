"""ATCONAlternatingLoop: draw probability, flags and endless loaders."""
from types import SimpleNamespace

import pytest
import torch

pytest.importorskip('mmpretrain')

from mmengine.dataset import DefaultSampler, pseudo_collate  # noqa: E402
from mmpretrain.structures import DataSample  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

from attn_plugins.atcon.loops import (ATCONAlternatingLoop, ATCONCombinedLoop,  # noqa: E402
                                      join_batches)


class Tagged(torch.utils.data.Dataset):
    """Samples that remember which set they came from."""

    def __init__(self, name, size):
        self.name, self.size = name, size

    def __len__(self):
        return self.size

    def __getitem__(self, idx):
        return dict(inputs=torch.zeros(1),
                    data_samples=DataSample(metainfo=dict(source=self.name, idx=idx)))


def loader(name, size, batch_size=2):
    dataset = Tagged(name, size)
    return DataLoader(dataset, batch_size=batch_size, collate_fn=pseudo_collate,
                      sampler=DefaultSampler(dataset, shuffle=True, seed=0))


def make_loop(labeled=4, unlabeled=36, alpha=1.0, seed=0):
    runner = SimpleNamespace(seed=seed, visualizer=SimpleNamespace(),
                             build_dataloader=lambda cfg, seed=None: cfg)
    return ATCONAlternatingLoop(runner, loader('labeled', labeled),
                                unlabeled_dataloader=loader('unlabeled', unlabeled),
                                max_iters=10, alpha=alpha)


def draw(loop, n):
    return [next(loop.dataloader_iterator) for _ in range(n)]


@pytest.mark.parametrize('alpha, expected', [(1.0, 0.1), (9.0, 0.5)])
def test_labeled_probability_is_alpha_s_over_alpha_s_plus_u(alpha, expected):
    loop = make_loop(alpha=alpha)
    assert loop.labeled_probability == pytest.approx(expected)
    batches = draw(loop, 2000)
    share = sum(b['data_samples'][0].labeled for b in batches) / len(batches)
    assert share == pytest.approx(expected, abs=0.03)


def test_batches_come_whole_from_one_loader_with_their_flag():
    batches = draw(make_loop(alpha=9.0), 200)
    for batch in batches:
        sources = {s.source for s in batch['data_samples']}
        flags = {s.labeled for s in batch['data_samples']}
        assert len(sources) == 1 and flags == {sources.pop() == 'labeled'}
    # The small labelled loader restarts: its 4 images keep coming, each epoch reshuffled.
    labeled = [s.idx for b in batches if b['data_samples'][0].labeled
               for s in b['data_samples']]
    assert len(labeled) > 8 and set(labeled) == {0, 1, 2, 3}


def test_draws_are_seeded():
    first = [b['data_samples'][0].labeled for b in draw(make_loop(alpha=9.0, seed=3), 50)]
    again = [b['data_samples'][0].labeled for b in draw(make_loop(alpha=9.0, seed=3), 50)]
    other = [b['data_samples'][0].labeled for b in draw(make_loop(alpha=9.0, seed=4), 50)]
    assert first == again and first != other


def test_bad_settings_raise():
    with pytest.raises(ValueError, match='alpha'):
        make_loop(alpha=0.0)
    runner = SimpleNamespace(seed=0, visualizer=SimpleNamespace(),
                             build_dataloader=lambda cfg, seed=None: cfg)
    with pytest.raises(ValueError, match='unlabeled_dataloader'):
        ATCONAlternatingLoop(runner, loader('labeled', 4),
                             unlabeled_dataloader=loader('unlabeled', 0), max_iters=1)


def make_combined_loop(labeled=4, unlabeled=10, batch_size=2):
    runner = SimpleNamespace(seed=0, visualizer=SimpleNamespace(),
                             build_dataloader=lambda cfg, seed=None: cfg)
    return ATCONCombinedLoop(runner, loader('labeled', labeled, batch_size),
                             unlabeled_dataloader=loader('unlabeled', unlabeled, batch_size),
                             max_iters=10)


def test_combined_batches_join_one_labelled_and_one_unlabelled_batch():
    loop = make_combined_loop()
    batches = draw(loop, 12)
    for batch in batches:
        sources = [s.source for s in batch['data_samples']]
        flags = [s.labeled for s in batch['data_samples']]
        assert sources == ['labeled', 'labeled', 'unlabeled', 'unlabeled']
        assert flags == [True, True, False, False]
        assert len(batch['inputs']) == 4
    # Both loaders run on: 12 batches cover the 4 labelled images 6 times and the 10
    # unlabelled ones 2.4 times, each loader restarting when exhausted.
    unlabeled = [s.idx for b in batches for s in b['data_samples'] if not s.labeled]
    labeled = [s.idx for b in batches for s in b['data_samples'] if s.labeled]
    assert sorted(unlabeled[:10]) == list(range(10)) and sorted(labeled[:4]) == [0, 1, 2, 3]
    assert len(labeled) == 24 and len(unlabeled) == 24


def test_join_batches_with_stacked_inputs_and_its_errors():
    first = dict(inputs=torch.zeros(2, 3), data_samples=[DataSample(), DataSample()])
    second = dict(inputs=torch.ones(1, 3), data_samples=[DataSample()])
    joined = join_batches(first, second)
    assert torch.equal(joined['inputs'], torch.cat([torch.zeros(2, 3), torch.ones(1, 3)]))
    assert [s.labeled for s in joined['data_samples']] == [True, True, False]
    with pytest.raises(ValueError, match='collate'):
        join_batches(first, dict(inputs=[torch.ones(3)], data_samples=[DataSample()]))
    with pytest.raises(ValueError, match='keys'):
        join_batches(dict(first, extra=1), second)
