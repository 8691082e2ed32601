#!/bin/sh
# Loads every corpus object at every cpu level into the kernel with
# `bpftool prog loadall OBJ DIR` on a private bpffs, one check per object:
#   load/vN/NAME          must load (the kernel verifier accepts every program in it)
#   load/vN/reject_NAME   must be refused, with the kernel message named in the source's
#                         "kernel-rejects:" comment
# Pins live on a bpffs mounted in a private mount namespace (unshare -m), so they vanish with
# the namespace even if this script is killed; each object's pins are also removed at once.
. "$ROOT/tests/lib.sh"

if [ "${1:-}" != inner ]; then
	if ! have_kernel_bpf; then skip corpus_kernel "needs root and a kernel with BTF"; exit 0; fi
	for tool in bpftool unshare mount; do
		command -v $tool >/dev/null 2>&1 || { skip corpus_kernel "$tool not installed"; exit 0; }
	done
	build_corpus corpus_build
	exec unshare -m sh "$0" inner
fi

FS=$T/bpffs
mkdir -p "$FS"
mount --make-rprivate / 2>/dev/null
if ! mount -t bpf bpf "$FS"; then
	notok bpffs_mount "cannot mount bpffs on $FS"
	exit 0
fi
cleanup() { rm -rf "$FS"/p 2>/dev/null; umount "$FS" 2>/dev/null; }
trap cleanup EXIT INT TERM

# The kernel's reason: the verifier line just before its "processed N insns" summary, else
# the last libbpf/bpftool error line.
reason() {
	r=$(grep -B1 '^processed [0-9]* insns' "$1" | head -1)
	[ -n "$r" ] || r=$(grep -E '^(libbpf|Error):' "$1" | tail -1)
	printf '%s' "$r" | cut -c1-200
}

for cpu in v1 v2 v3 v4; do
	for obj in "$BK_BUILD/corpus/$cpu"/*.o; do
		[ -f "$obj" ] || continue
		name=$(basename "$obj" .o)
		n=load/$cpu/$name
		rm -rf "$FS/p"
		bpftool prog loadall "$obj" "$FS/p" > "$T/load.log" 2>&1
		rc=$?
		rm -rf "$FS/p"
		case $name in
		reject_*)
			want=$(sed -n 's/.*kernel-rejects: *\(.*[^ ]\) *\*\/.*/\1/p; s/.*kernel-rejects: *\(.*[^ ]\) *$/\1/p' \
				"$ROOT/tests/corpus/$name.c" | head -1)
			if [ $rc -eq 0 ]; then
				notok "$n" "the kernel accepted a program meant to be rejected"
			elif [ -n "$want" ] && ! grep -qF -- "$want" "$T/load.log"; then
				notok "$n" "rejected for another reason: $(reason "$T/load.log") (want: $want)"
			else
				ok "$n"
			fi ;;
		*)
			if [ $rc -eq 0 ]; then ok "$n"; else notok "$n" "$(reason "$T/load.log")"; fi ;;
		esac
	done
done
