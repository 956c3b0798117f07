#!/usr/bin/env bash
# Set-up and the two everyday commands. Each installs what is missing, then runs:
#   ./dev.sh build [OPTIONS]   build every document into dist/ (options go to `build.py build`)
#   ./dev.sh test [PYTEST ARGS] run the test suite
#   ./dev.sh fuzz               fuzz the loaders with 10,000 examples each
#   ./dev.sh lock [UV ARGS]    re-resolve requirements.lock and requirements-test.lock
#                              (keeps their pins; `--upgrade-package NAME` or `--upgrade` moves them)
# Anything else after ./dev.sh runs `build.py` with those arguments (./dev.sh validate, ./dev.sh list).
set -euo pipefail
# The caller's folder: relative paths they give (--out rel) are relative to it.
CALLER=$PWD
cd "$(dirname "$0")"
REPO=$PWD

# WeasyPrint's system libraries, fontconfig and the fonts the stylesheets declare: BIZ UD for
# Japanese; Noto Sans CJK (Chinese, Korean), Noto Sans, Thai and Devanagari for the cards.
# libgs-common ships the CMYK profile of print files (Artifex CMYK SWOP, default_cmyk.icc).
# libharfbuzz-subset0 matters: without it WeasyPrint falls back to a Python subsetter
# that costs about a second per document.
APT_PACKAGES=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig
  fonts-morisawa-bizud-mincho fonts-morisawa-bizud-gothic
  fonts-noto-cjk fonts-noto-core
  libgs-common
)
# The browser tests drive Debian's chromium through chromedriver (no test tool downloads one);
# gettext's msgfmt --check checks every catalog.
# poppler-utils' pdftotext is the second client that reads the cards' text back.
TEST_APT_PACKAGES=(chromium chromium-driver gettext poppler-utils)
VENV=${NOTICEGEN_VENV:-.venv}
# The lock files are made by this uv release, for Debian 12's Python and glibc, whatever the host.
LOCK_TOOL=uv==0.13.9
LOCK_TARGET=(--python-version 3.11 --python-platform x86_64-manylinux_2_36)

log() { printf 'dev.sh: %s\n' "$*" >&2; }

# $@: the Debian packages this command needs.
ensure_apt() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
      || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
      log "missing Debian packages: ${missing[*]}; run as root or install sudo"; exit 1
    fi
  fi
  log "installing Debian packages: ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# $1: the lock file to install: requirements.lock, or requirements-test.lock for the tests.
ensure_venv() {
  local lock=$1 stamp wanted
  wanted=$(cat "$lock" pyproject.toml; python3 --version)
  wanted=$(printf '%s' "$wanted" | sha256sum | cut -d' ' -f1)
  stamp="$VENV/.noticegen-${lock%.lock}"
  if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return 0
  fi
  [ -x "$VENV/bin/python" ] || { log "creating $VENV"; python3 -m venv "$VENV"; }
  log "installing Python packages from $lock into $VENV"
  rm -f "$stamp"  # so a half-done install is redone, even if the lock goes back to what it was
  local pip=("$VENV/bin/python" -m pip --disable-pip-version-check)
  "${pip[@]}" install -q -r "$lock"
  "${pip[@]}" install -q --no-deps -e .
  # A dependency added to pyproject.toml but not yet locked shows up here.
  local problems
  if ! problems=$("${pip[@]}" check 2>&1); then
    printf '%s\n' "$problems" >&2
    log "$lock does not satisfy pyproject.toml: run ./dev.sh lock"; exit 1
  fi
  printf '%s' "$wanted" > "$stamp"
}

# $1: a lock file uv just wrote; $2: what it holds. Puts a few lines of ours above uv's header.
lock_header() {
  { printf '%s\n' \
      "# $2, pinned with hashes for Python 3.11 on Linux x86_64." \
      "# ./dev.sh installs it. Regenerate: ./dev.sh lock (keeps the pins);" \
      "# move one: ./dev.sh lock --upgrade-package NAME; move all: ./dev.sh lock --upgrade."
    cat "$1"; } > "$1.new"
  mv "$1.new" "$1"
}

# Re-resolves both lock files from pyproject.toml with a uv installed into a throwaway venv.
# $@: more options for `uv pip compile`.
lock() {
  local tools
  tools=$(mktemp -d)
  # shellcheck disable=SC2064 # the folder's name is fixed now; $tools is gone by exit time
  trap "rm -rf '$tools'" EXIT
  log "installing $LOCK_TOOL into a throwaway venv"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/python" -m pip install -q --disable-pip-version-check "$LOCK_TOOL"
  local compile=(env UV_CACHE_DIR="$tools/cache" "$tools/venv/bin/uv" pip compile --quiet
    --generate-hashes "${LOCK_TARGET[@]}" --custom-compile-command "./dev.sh lock" "$@")
  "${compile[@]}" pyproject.toml -o requirements.lock
  # The test lock takes the runtime pins as they are: the tests run what the build runs.
  "${compile[@]}" pyproject.toml --extra test -c requirements.lock -o requirements-test.lock
  lock_header requirements.lock "noticegen's runtime dependencies ([project.dependencies])"
  lock_header requirements-test.lock "The runtime dependencies and the test extras ([test])"
  log "wrote requirements.lock and requirements-test.lock"
}

command=${1:-build}
[ $# -gt 0 ] && shift
case "$command" in
  lock)
    lock "$@"
    ;;
  fuzz)
    # The loaders' fuzz tests at 10,000 examples each (CI runs 300).
    ensure_apt "${APT_PACKAGES[@]}"
    ensure_venv requirements-test.lock
    NOTICEGEN_FUZZ_EXAMPLES=${NOTICEGEN_FUZZ_EXAMPLES:-10000} \
      exec "$VENV/bin/python" -m pytest -q tests/test_fuzz.py "$@"
    ;;
  test)
    ensure_apt "${APT_PACKAGES[@]}" "${TEST_APT_PACKAGES[@]}"
    ensure_venv requirements-test.lock
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    ensure_apt "${APT_PACKAGES[@]}"
    ensure_venv requirements.lock
    # Run from the caller's folder, on this repository's project, so that `--out rel` means
    # the caller's rel, as it does for build.py itself.
    venv_python=$VENV/bin/python
    case "$venv_python" in /*) ;; *) venv_python=$REPO/$venv_python ;; esac
    cd "$CALLER"
    exec "$venv_python" "$REPO/build.py" --root "$REPO" "$command" "$@"
    ;;
esac
