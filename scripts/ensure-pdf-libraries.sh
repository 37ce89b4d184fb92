#!/usr/bin/env bash
# Invoice PDFs are drawn by WeasyPrint, which needs Pango (and a font). Install
# Debian's packages when they are missing; `make install` and `make test` run this.
set -euo pipefail
missing=()
for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz.so.0; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || missing+=("$lib")
done
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=("dejavu")
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "PDF libraries missing (${missing[*]}); installing Debian's packages" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core >&2
