#!/usr/bin/env bash
# Set-up and the two everyday commands. Each installs what is missing, then runs:
#   ./dev.sh build [OPTIONS]   build every document into dist/ (options go to `build.py build`)
#   ./dev.sh test [PYTEST ARGS] run the test suite
# Anything else after ./dev.sh runs `build.py` with those arguments (./dev.sh validate, ./dev.sh list).
set -euo pipefail
cd "$(dirname "$0")"

# WeasyPrint's system libraries, fontconfig and the fonts the stylesheets declare: BIZ UD for
# Japanese; Noto Sans CJK (Chinese, Korean), Noto Sans, Thai and Devanagari for the cards.
# libharfbuzz-subset0 matters: without it WeasyPrint falls back to a Python subsetter
# that costs about a second per document.
APT_PACKAGES=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig
  fonts-morisawa-bizud-mincho fonts-morisawa-bizud-gothic
  fonts-noto-cjk fonts-noto-core
)
# The browser test drives Debian's chromium through chromedriver; no test tool downloads one.
TEST_APT_PACKAGES=(chromium chromium-driver)
VENV=.venv

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

# $1: the pip extras to install ("" or "[test]").
ensure_venv() {
  local extras=$1 stamp wanted
  wanted=$(cat pyproject.toml; echo "extras=$extras"; python3 --version)
  wanted=$(printf '%s' "$wanted" | sha256sum | cut -d' ' -f1)
  stamp="$VENV/.noticegen-$( [ -n "$extras" ] && echo test || echo base )"
  if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return 0
  fi
  [ -x "$VENV/bin/python" ] || { log "creating $VENV"; python3 -m venv "$VENV"; }
  log "installing Python packages into $VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".$extras"
  printf '%s' "$wanted" > "$stamp"
}

command=${1:-build}
[ $# -gt 0 ] && shift
case "$command" in
  test)
    ensure_apt "${APT_PACKAGES[@]}" "${TEST_APT_PACKAGES[@]}"
    ensure_venv "[test]"
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    ensure_apt "${APT_PACKAGES[@]}"
    ensure_venv ""
    exec "$VENV/bin/python" build.py "$command" "$@"
    ;;
esac
