#!/usr/bin/env bash
# System packages Viva needs on Debian: libseccomp (the code sandbox loads it for its seccomp filter).
# Installs them with apt-get when running as root (or with sudo); otherwise says what to install.
set -euo pipefail
packages=(libseccomp2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "viva: please install these system packages: ${missing[*]}" >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "viva: the code sandbox needs: sudo apt-get install ${missing[*]}" >&2
fi
