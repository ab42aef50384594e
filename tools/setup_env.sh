#!/usr/bin/env bash
# Create, or reuse, the project environment for attn_plugins.
#
#   source tools/setup_env.sh     # or: bash tools/setup_env.sh
#
# Two layers:
# - A shared environment with the exact tested stack (requirements/constraints.txt), keyed by
#   a hash of requirements/*.txt and of the build steps below, in
#   ${ATTN_PLUGINS_ENV_ROOT:-~/.cache/attn_plugins}/env-<hash>. Every clone with the same
#   requirements reuses it. A call that was interrupted resumes where it stopped: every step
#   is an idempotent pip call.
# - `.venv` in this clone: a small virtual environment that sees the shared one's packages
#   (a .pth file) and has this clone installed in editable mode, so `.venv/bin/python` imports
#   this clone's `attn_plugins` from any folder, and several clones never see each other's code.
# A second call returns within a second.
#
# mmcv has no prebuilt wheel for this torch, so the first run builds it from source (about
# 16 minutes on 2 cores). The wheel is kept in <env root>/wheels/<mmcv>-<torch>/ and reused by
# every later environment.
#
# Any failing step stops the script with "[setup] FAILED: <step>" and a non-zero status.

_step() { echo "[setup] $*"; }
_fail() { echo "[setup] FAILED: $*" >&2; return 1; }

# Build the shared environment $1 (python $2, requirements folder $3, mmcv wheel cache $4).
_attn_build_shared() {
    local env_dir="$1" python="$2" req="$3" wheel_dir="$4"
    if [ ! -x "$env_dir/bin/python" ]; then
        _step "1/5 create virtual environment with $python"
        "$python" -m venv "$env_dir" || { _fail "1/5 create virtual environment"; return 1; }
    fi
    local pip=("$env_dir/bin/python" -m pip --disable-pip-version-check)

    _step "2/5 install torch and build tools (requirements/build.txt)"
    "${pip[@]}" install -q -c "$req/constraints.txt" -r "$req/build.txt" \
        || { _fail "2/5 install torch and build tools"; return 1; }

    if ! ls "$wheel_dir"/mmcv-*.whl >/dev/null 2>&1; then
        _step "3/5 build mmcv with compiled ops into $wheel_dir (about 16 minutes on 2 cores)"
        mkdir -p "$wheel_dir.partial"
        MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
            "${pip[@]}" wheel --no-deps --no-build-isolation -w "$wheel_dir.partial" \
            -r "$req/mmcv.txt" || { _fail "3/5 build mmcv from source"; return 1; }
        mv "$wheel_dir.partial" "$wheel_dir"
    else
        _step "3/5 reuse mmcv wheel from $wheel_dir"
    fi

    _step "4/5 install mmcv and the stack (requirements/core.txt, openmmlab.txt, tests.txt)"
    "${pip[@]}" install -q --no-deps "$wheel_dir"/mmcv-*.whl \
        || { _fail "4/5 install mmcv wheel"; return 1; }
    "${pip[@]}" install -q -c "$req/constraints.txt" -r "$req/mmcv.txt" -r "$req/core.txt" \
        -r "$req/openmmlab.txt" -r "$req/tests.txt" \
        || { _fail "4/5 install the stack and the test requirements"; return 1; }

    _step "5/5 check that the stack imports"
    local mod
    for mod in torch torchvision mmcv.ops mmengine mmpretrain.models mmdet.models \
               mmseg.models lightly.loss; do
        "$env_dir/bin/python" -c "import $mod" \
            || { _fail "5/5 import $mod"; return 1; }
    done
}

# Make $1/.venv: a virtual environment that sees the shared environment $2's packages and has
# the clone $1 installed in editable mode.
_attn_clone_env() {
    local repo="$1" env_dir="$2"
    local venv="$repo/.venv" marker="$repo/.venv/.attn_plugins_shared_env"
    [ "$(cat "$marker" 2>/dev/null)" = "$env_dir" ] && return 0
    _step "clone environment $venv on $env_dir"
    rm -rf "$venv" || { _fail "remove the old $venv"; return 1; }
    "$env_dir/bin/python" -m venv --without-pip "$venv" \
        || { _fail "create $venv"; return 1; }
    local site shared_site
    site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    shared_site="$("$env_dir/bin/python" -c \
        'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    # addsitedir (not a plain path line) also runs the shared site's own .pth files.
    echo "import site; site.addsitedir('$shared_site')" > "$site/_attn_plugins_shared_env.pth"
    "$venv/bin/python" -m pip --disable-pip-version-check install -q --no-deps \
        --no-build-isolation -e "$repo" || { _fail "install $repo in editable mode"; return 1; }
    echo "$env_dir" > "$marker"
}

_attn_setup() {
    local repo
    repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    local req="$repo/requirements"
    local python="${ATTN_PLUGINS_PYTHON:-python3}"
    local env_root="${ATTN_PLUGINS_ENV_ROOT:-$HOME/.cache/attn_plugins}"
    local key
    # The shared environment depends on the requirements and its build steps only.
    key="$( (cat "$req"/*.txt; declare -f _attn_build_shared) | sha256sum | cut -c1-12)"
    local env_dir="$env_root/env-$key"
    local torch_spec mmcv_spec
    torch_spec="$(grep -E '^torch===' "$req/build.txt" | sed 's/===/-/')"
    mmcv_spec="$(grep -E '^mmcv==' "$req/mmcv.txt" | sed 's/==/-/')"
    local wheel_dir="$env_root/wheels/$mmcv_spec-$torch_spec"

    mkdir -p "$env_root" || { _fail "create $env_root"; return 1; }
    if [ "$(cat "$repo/.venv/.attn_plugins_shared_env" 2>/dev/null)" = "$env_dir" ] \
            && [ -f "$env_dir/.complete" ]; then
        return 0
    fi

    # One builder at a time: the demo and the tests may be started together.
    exec 9>"$env_root/.lock"
    _step "waiting for the setup lock ($env_root/.lock)"
    flock 9
    if [ ! -f "$env_dir/.complete" ]; then
        local t0=$SECONDS
        _step "building the shared environment $env_dir (first run; later runs reuse it)"
        _attn_build_shared "$env_dir" "$python" "$req" "$wheel_dir" \
            || { exec 9>&-; return 1; }
        touch "$env_dir/.complete"
        _step "shared environment done in $((SECONDS - t0)) s"
    fi
    _attn_clone_env "$repo" "$env_dir" || { exec 9>&-; return 1; }
    exec 9>&-
    return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -o pipefail
    _attn_setup || exit 1
else
    _attn_setup || return 1
fi
