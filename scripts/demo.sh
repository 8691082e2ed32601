#!/bin/sh
# The main job: take one example program from assembly to a verified, tested object,
# in userspace, and into the kernel when this machine permits it.
set -eu
cd "$(dirname "$0")/.."
BPFKIT=${BPFKIT:-./build/bpfkit}
OUT=$(mktemp -d /tmp/bpfkit-demo.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
step() { printf '\n== %s\n$ %s\n' "$1" "$2"; }

step "1. assemble clang's assembly (examples/hello.s) into an ELF object" \
     "bpfkit asm -mcpu=v3 examples/hello.s -o hello.o"
$BPFKIT asm -mcpu=v3 examples/hello.s -o "$OUT/hello.o"
ls -l "$OUT/hello.o" | awk '{print $5 " bytes"}'

step "2. verify it offline, as the kernel's verifier would" "bpfkit verify hello.o --type xdp"
$BPFKIT verify "$OUT/hello.o" --type xdp

step "3. run it in the userspace runtime on an IPv4 packet, then show its map" \
     "bpfkit run hello.o --type xdp --data-in examples/packet-ipv4.bin --repeat 1000 --dump-maps"
$BPFKIT run "$OUT/hello.o" --type xdp --data-in examples/packet-ipv4.bin --repeat 1000 --dump-maps

step "4. disassemble it (identical to llvm-objdump-19 -d)" "bpfkit objdump -d hello.o"
$BPFKIT objdump -d "$OUT/hello.o"

step "5. load it into the kernel and run it there" "bpfkit prog load hello.o PIN; bpfkit prog run ..."
if [ "$(id -u)" != 0 ]; then
	echo "skipped: loading into the kernel needs root (CAP_BPF); run the demo as root"
	exit 0
fi
if ! $BPFKIT version | grep -q 'kernel front end on'; then
	echo "skipped: bpfkit was built without libbpf (install libbpf-dev and rebuild)"
	exit 0
fi
# A private bpffs mount, gone when the demo ends.
mkdir -p "$OUT/bpffs"
unshare -m sh -c '
	set -e
	mount -t bpf bpf "$2"
	$1 prog load "$3" "$2/hello" type xdp
	$1 prog show pinned "$2/hello"
	$1 prog run pinned "$2/hello" data_in examples/packet-ipv4.bin repeat 1000
	rm -f "$2/hello"
' sh "$BPFKIT" "$OUT/bpffs" "$OUT/hello.o" || echo "the kernel refused (see its message above)"
