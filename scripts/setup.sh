#!/bin/sh
# Installs what GAT Lab needs on a fresh Debian machine with Node 20, skipping what is there:
# the npm packages, and for the tests (`setup.sh test`) Debian's Chromium, whose chromium-common
# part carries SwiftShader (the software Vulkan driver WebGPU runs on without a GPU), libvulkan1,
# and the Python packages under which ../shared/vendor/pyg-2.5.3 (real PyG) runs the exported
# gatlab_pyg.py: Debian's torch and what PyG imports.
set -eu
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

installed() {
  dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

if [ "${1:-}" = test ]; then
  missing=""
  if [ ! -e /usr/lib/chromium/vk_swiftshader_icd.json ] || [ ! -x /usr/bin/chromium ]; then
    missing=chromium
  fi
  for package in libvulkan1 python3-torch python3-scipy python3-fsspec python3-tqdm python3-jinja2 \
    python3-requests python3-psutil python3-pyparsing python3-sklearn; do
    installed "$package" || missing="$missing $package"
  done
  if [ -n "$missing" ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
  fi
fi
