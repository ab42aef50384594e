"""`pip install` of a built wheel gives a working framework-free core in a fresh virtual
environment that has torch, numpy and scipy but no OpenMMLab at all."""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from tests.conftest import REPO_ROOT

# The core's dependencies, made visible to the fresh environment; everything else (mmcv,
# mmengine, mmpretrain, mmdet, mmseg, lightly, ...) stays out of it.
CORE_DISTRIBUTIONS = ('torch', 'numpy', 'scipy', 'sympy', 'mpmath', 'networkx', 'jinja2',
                      'markupsafe', 'filelock', 'fsspec', 'typing_extensions', 'nvidia',
                      'triton', 'functorch', 'torchgen')

CORE_USE = '''
import importlib.metadata, importlib.util, json, sys
import torch
import attn_plugins
from attn_plugins.attention import grad_cam
from attn_plugins.saliency import SaliencyCropSampler, nss
from attn_plugins.teacher import default_teacher_files

net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(),
                          torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
cam = grad_cam(net, net[1], torch.rand(2, 3, 8, 8), targets=[0, 1])
saliency = torch.zeros(16, 16)
saliency[4:8, 4:8] = 1
score = nss(saliency.numpy(), saliency.numpy() > 0)
mask = (saliency > 0).numpy()
box = SaliencyCropSampler().sample(mask, rng=__import__('numpy').random.default_rng(0))
print(json.dumps(dict(
    location=attn_plugins.__file__,
    cam=list(cam.shape),
    nss=float(score),
    box_inside=bool(box.salient_fraction >= 0.2),
    teacher_files=[str(p) for p in default_teacher_files()],
    openmmlab=[m for m in ('mmcv', 'mmengine', 'mmpretrain', 'mmdet', 'mmseg', 'lightly')
               if importlib.util.find_spec(m) is not None],
    requires=importlib.metadata.requires('attn_plugins'))))
'''


def site_packages_dirs():
    return [Path(p) for p in sys.path if p.endswith('site-packages') and Path(p).is_dir()]


def test_wheel_installs_a_working_core_without_openmmlab(tmp_path):
    # Build from a copy so the build leaves nothing in the repository.
    source = tmp_path / 'source'
    shutil.copytree(REPO_ROOT, source, ignore=shutil.ignore_patterns(
        '.git', '.venv', 'work_dirs', 'tests', 'configs', 'tools', '__pycache__', '*.egg-info',
        'build', 'dist', 'results'))
    wheels = tmp_path / 'wheels'
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps',
                    '--no-build-isolation', '-w', str(wheels), str(source)], check=True,
                   capture_output=True)
    wheel, = wheels.glob('attn_plugins-*.whl')
    names = zipfile.ZipFile(wheel).namelist()
    assert 'attn_plugins/teacher/weights/default_teacher.pth' in names
    assert not any(name.startswith(('tests/', 'tools/', 'configs/')) for name in names)

    # A fresh environment; the core's dependencies come from this one through a .pth file.
    fresh = tmp_path / 'fresh'
    subprocess.run([sys.executable, '-m', 'venv', str(fresh)], check=True,
                   capture_output=True)
    python = fresh / 'bin' / 'python'
    visible = tmp_path / 'core_deps'
    visible.mkdir()
    for site in site_packages_dirs():
        for entry in site.iterdir():
            if (entry.name.lower().startswith(CORE_DISTRIBUTIONS)
                    and not (visible / entry.name).exists()):
                (visible / entry.name).symlink_to(entry)
    fresh_site = subprocess.run(
        [str(python), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
        check=True, capture_output=True, text=True).stdout.strip()
    Path(fresh_site, 'core_deps.pth').write_text(f'{visible}\n')

    env = {'PATH': os.environ['PATH'], 'HOME': str(tmp_path)}
    subprocess.run([str(python), '-m', 'pip', 'install', '-q', '--no-deps', '--no-index',
                    str(wheel)], check=True, capture_output=True, env=env)
    proc = subprocess.run([str(python), '-c', CORE_USE], cwd=tmp_path, capture_output=True,
                          text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result['location'].startswith(fresh_site)   # the installed copy, not the repo
    assert result['openmmlab'] == []                   # nothing of OpenMMLab in that env
    assert result['cam'] == [2, 8, 8]
    assert result['nss'] > 0 and result['box_inside']
    assert all(Path(p).is_file() and p.startswith(fresh_site) for p in result['teacher_files'])
    requires = result['requires']
    core = sorted(r.split('>')[0].split(';')[0].strip() for r in requires if 'extra ==' not in r)
    assert core == ['numpy', 'scipy', 'torch']
    assert any(r.startswith('mmengine') and 'extra == "openmmlab"' in r for r in requires)
    assert sysconfig.get_paths()['purelib'] not in result['location']
