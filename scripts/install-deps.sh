#!/bin/sh
# Every Debian package that building, testing and benchmarking bpfkit needs.
# README set-up and .ci/run both call this; keep the list here and nowhere else.
set -eu
PKGS="
  make gcc clang pkg-config binutils
  clang-19 llvm-19 libclang-rt-19-dev libclang-rt-14-dev
  libbpf-dev libelf-dev zlib1g-dev linux-libc-dev
  bpftool libcapstone-dev iproute2 python3
  dpdk-dev librte-bpf23
"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
missing=
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
echo "install-deps: all packages present"
