#!/usr/bin/env bash
# Create the virtual environment. Debian's python3 ships without venv/ensurepip
# (package python3-venv); install it when it is missing.
set -euo pipefail
PYTHON="${1:-python3}"
VENV="${2:-.venv}"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
  exit 0
fi
rm -rf "$VENV"
if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
  rm -rf "$VENV"
  echo "python venv is missing; installing Debian's python3-venv" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  ver=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  $sudo apt-get install -y -qq "python${ver}-venv" || $sudo apt-get install -y -qq python3-venv
  "$PYTHON" -m venv "$VENV"
fi
