#!/bin/sh
# Installs what GAT Lab needs on a fresh Debian machine with Node 20, skipping what is there:
# the npm packages, and for the tests (`setup.sh test`) Debian's Chromium, whose chromium-common
# part carries SwiftShader (the software Vulkan driver WebGPU runs on without a GPU), and libvulkan1.
set -eu
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = test ]; then
  if [ ! -e /usr/lib/chromium/vk_swiftshader_icd.json ] || [ ! -x /usr/bin/chromium ] || ! dpkg -s libvulkan1 >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium libvulkan1 >/dev/null
  fi
fi
