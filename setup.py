"""Install attn_plugins.

    pip install .                  # the framework-free core: torch, numpy, scipy
    pip install ".[openmmlab]"     # + the OpenMMLab adapters (build mmcv with ops first)
    pip install ".[openmmlab,tests]"

tools/setup_env.sh builds the exact tested stack (requirements/constraints.txt) and installs
this package into it in editable mode; see the README.
"""
import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(name):
    """Requirement lines of ``requirements/<name>``, without comments."""
    with open(osp.join(HERE, 'requirements', name)) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


def read_version():
    namespace = {}
    with open(osp.join(HERE, 'attn_plugins', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


setup(
    name='attn_plugins',
    version=read_version(),
    description='Human-like spatial attention for OpenMMLab self-supervised pretraining '
                '(teacher saliency targets, CAST, ATCON, VARS) and its transfer to '
                'detection and segmentation',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    python_requires='>=3.11',
    packages=find_packages(include=['attn_plugins', 'attn_plugins.*']),
    # the shipped default saliency teacher (config and fp16 weights, < 2 MB)
    package_data={'attn_plugins.teacher': ['weights/default_teacher.py',
                                           'weights/default_teacher.pth']},
    install_requires=read_requirements('core.txt'),
    extras_require={'openmmlab': read_requirements('openmmlab.txt'),
                    'tests': read_requirements('tests.txt')},
    classifiers=[
        'Programming Language :: Python :: 3',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
    ],
)
