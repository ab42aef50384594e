"""The committed run records (``results/<experiment>/runs/<arm>/seed<S>.json``) still match the
repository: each record's key (the run's settings and the digests of the configs it was
trained and evaluated with) equals the one the harness computes today. An edit to a config
the evidence run trained, even a refactor that moves a value to another file but changes what
the config resolves to, would otherwise leave the README's tables on records the harness no
longer counts (and would train again)."""
import os.path as osp

import pytest

from attn_plugins.evaluation.harness import Harness, load_experiment
from tests.conftest import REPO_ROOT

# The CPU-scale specs that keep their runs (they set ``results_dir``).
SPECS = sorted(p.relative_to(REPO_ROOT).as_posix()
               for p in (REPO_ROOT / 'configs' / 'experiments').glob('*_cpu.py')
               if 'results_dir' in p.read_text())


def kept_runs(harness):
    """(arm, seed) of every run of the spec with a committed record (its own or its twin's)."""
    return [(arm, seed) for arm in harness.exp.arms for seed in harness.exp.seeds
            if osp.isfile(harness.record_path(arm, seed)) or harness.twin_record(arm, seed)]


@pytest.mark.parametrize('spec', SPECS)
def test_every_committed_record_matches_the_current_configs(spec, tmp_path):
    harness = Harness(load_experiment(str(REPO_ROOT / spec)), str(tmp_path))
    runs = kept_runs(harness)
    assert runs, f'{spec} sets results_dir but {harness.results_dir} holds no records'
    stale = [f'{arm.name} seed {seed}' for arm, seed in runs
             if harness.kept_record(arm, seed) is None]
    assert not stale, (f'{spec}: the records of {stale} were made with other settings or '
                       'another version of a config they name')


def test_the_check_has_records_and_notices_an_edited_config(tmp_path, monkeypatch):
    """The check above is not vacuous: the CAST experiment keeps records, and they stop
    counting when a config they name resolves to other values (its digest changes)."""
    from attn_plugins.evaluation import harness as harness_module

    spec = REPO_ROOT / 'configs' / 'experiments' / 'cast-vs-crop-vs-mocov2_cpu.py'
    harness = Harness(load_experiment(str(spec)), str(tmp_path))
    runs = kept_runs(harness)
    assert len(runs) >= 9 and all(harness.kept_record(arm, seed) for arm, seed in runs)
    edited = 'configs/mocov2/mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py'
    real_digest = harness_module.config_digest
    monkeypatch.setattr(harness_module, 'config_digest',
                        lambda config: 'edited' if config == edited else real_digest(config))
    counted = {arm.name for arm, seed in runs if harness.kept_record(arm, seed)}
    assert 'mocov2' not in counted and 'cast' in counted, counted
