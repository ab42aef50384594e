#!/usr/bin/env bash
# Create, or reuse, the project environment for attn_plugins.
#
#   source tools/setup_env.sh     # or: bash tools/setup_env.sh
#
# The environment is keyed by a hash of requirements/*.txt and this script, and lives in
# ${ATTN_PLUGINS_ENV_ROOT:-~/.cache/attn_plugins}/env-<hash>; `.venv` in the repository is a
# link to it. A second call (from this or any other clone with the same requirements) finds
# the finished environment and returns within a second. A call that was interrupted resumes
# where it stopped: every step is an idempotent pip call.
#
# mmcv has no prebuilt wheel for this torch, so the first run builds it from source (about
# 16 minutes on 2 cores). The wheel is kept in <env root>/wheels/<mmcv>-<torch>/ and reused by
# every later environment.
#
# Any failing step stops the script with "[setup] FAILED: <step>" and a non-zero status.

_attn_setup() {
    local repo
    repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    local req="$repo/requirements"
    local python="${ATTN_PLUGINS_PYTHON:-python3}"
    local env_root="${ATTN_PLUGINS_ENV_ROOT:-$HOME/.cache/attn_plugins}"
    local key
    key="$(cat "$req"/*.txt "$repo/tools/setup_env.sh" | sha256sum | cut -c1-12)"
    local env_dir="$env_root/env-$key"
    local torch_spec mmcv_spec
    torch_spec="$(grep -E '^torch===' "$req/build.txt" | sed 's/===/-/')"
    mmcv_spec="$(grep -E '^mmcv==' "$req/mmcv.txt" | sed 's/==/-/')"
    local wheel_dir="$env_root/wheels/$mmcv_spec-$torch_spec"

    _step() { echo "[setup] $*"; }
    _fail() { echo "[setup] FAILED: $*" >&2; return 1; }

    mkdir -p "$env_root" || { _fail "create $env_root"; return 1; }
    if [ -f "$env_dir/.complete" ]; then
        ln -sfn "$env_dir" "$repo/.venv"
        return 0
    fi

    # One builder at a time: the demo and the tests may be started together.
    exec 9>"$env_root/.lock"
    _step "waiting for the setup lock ($env_root/.lock)"
    flock 9
    if [ -f "$env_dir/.complete" ]; then
        exec 9>&-
        ln -sfn "$env_dir" "$repo/.venv"
        return 0
    fi

    local t0=$SECONDS
    _step "building environment $env_dir (first run; later runs reuse it)"
    if [ ! -x "$env_dir/bin/python" ]; then
        _step "1/6 create virtual environment with $python"
        "$python" -m venv "$env_dir" || { _fail "1/6 create virtual environment"; return 1; }
    fi
    local pip=("$env_dir/bin/python" -m pip --disable-pip-version-check)

    _step "2/6 install torch and build tools (requirements/build.txt)"
    "${pip[@]}" install -q -c "$req/constraints.txt" -r "$req/build.txt" \
        || { _fail "2/6 install torch and build tools"; return 1; }

    if ! ls "$wheel_dir"/mmcv-*.whl >/dev/null 2>&1; then
        _step "3/6 build mmcv with compiled ops into $wheel_dir (about 16 minutes on 2 cores)"
        mkdir -p "$wheel_dir.partial"
        MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
            "${pip[@]}" wheel --no-deps --no-build-isolation -w "$wheel_dir.partial" \
            -r "$req/mmcv.txt" || { _fail "3/6 build mmcv from source"; return 1; }
        mv "$wheel_dir.partial" "$wheel_dir"
    else
        _step "3/6 reuse mmcv wheel from $wheel_dir"
    fi

    _step "4/6 install mmcv and the OpenMMLab stack (requirements/runtime.txt, tests.txt)"
    "${pip[@]}" install -q --no-deps "$wheel_dir"/mmcv-*.whl \
        || { _fail "4/6 install mmcv wheel"; return 1; }
    "${pip[@]}" install -q -c "$req/constraints.txt" -r "$req/mmcv.txt" \
        -r "$req/runtime.txt" -r "$req/tests.txt" \
        || { _fail "4/6 install runtime and test requirements"; return 1; }

    _step "5/6 check that the stack imports"
    local mod
    for mod in torch torchvision mmcv.ops mmengine mmpretrain.models mmdet.models \
               mmseg.models lightly.loss; do
        "$env_dir/bin/python" -c "import $mod" \
            || { _fail "5/6 import $mod"; return 1; }
    done

    _step "6/6 done in $((SECONDS - t0)) s"
    touch "$env_dir/.complete"
    exec 9>&-
    ln -sfn "$env_dir" "$repo/.venv"
    return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -o pipefail
    _attn_setup || exit 1
else
    _attn_setup || return 1
fi
