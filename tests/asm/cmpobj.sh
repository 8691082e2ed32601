#!/bin/sh
# cmpobj.sh REF.o OUT.o: compares two BPF objects section by section as the assembler's
# bar asks: bytes of every section, relocation lists (offset, type, symbol name) and
# symbol tables (name, type, binding, visibility, section name, value, size).
# .llvm_addrsig (symbol indexes), .symtab and .strtab are compared as tables, not as bytes.
# Prints the differences; exit status 1 if any.
set -u
RE=${READELF:-llvm-readelf-19}
ref=$1 out=$2
tmp=$(mktemp -d /tmp/cmpobj.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
skip_re='^(\.llvm_addrsig|\.symtab|\.strtab)$'
secs() { # name type flags entsize align, one per line (size checked with the bytes)
	"$RE" -S -W "$1" | sed -n 's/^ *\[ *[0-9]*\] //p' | awk 'NF>0 && $1 != "" {
		name=$1; type=$2; es=$6; fl=""; al=$NF;
		if (NF == 10) fl=$7; print name, type, fl, es, al }' | grep -v '^ *NULL'
}
secs "$ref" | grep -Ev "^(\.symtab|\.strtab|\.llvm_addrsig) " > "$tmp/s1"
secs "$out" | grep -Ev "^(\.symtab|\.strtab|\.llvm_addrsig) " > "$tmp/s2"
rc=0
if ! cmp -s "$tmp/s1" "$tmp/s2"; then echo "section headers differ:"; diff "$tmp/s1" "$tmp/s2" | head -10; rc=1; fi
xs=
for s in $(awk '{print $1}' "$tmp/s1"); do
	case $s in .rel*) continue ;; esac
	echo "$s" | grep -Eq "$skip_re" && continue
	xs="$xs -x $s"
done
if [ -n "$xs" ]; then
	"$RE" $xs "$ref" > "$tmp/x1" 2>&1
	"$RE" $xs "$out" > "$tmp/x2" 2>&1
	if ! cmp -s "$tmp/x1" "$tmp/x2"; then echo "section bytes differ:"; diff "$tmp/x1" "$tmp/x2" | head -6; rc=1; fi
fi
rels() {
	"$RE" -r -W "$1" | awk '/^Relocation section/ { s=$3; gsub("\x27","",s); next }
		/^ *[0-9a-f]+ +[0-9a-f]+ +R_BPF/ { print s, $1, $3, $5 }'
}
rels "$ref" > "$tmp/r1"; rels "$out" > "$tmp/r2"
if ! cmp -s "$tmp/r1" "$tmp/r2"; then echo "relocations differ:"; diff "$tmp/r1" "$tmp/r2" | head -10; rc=1; fi
syms() { # value size type bind vis section-name name
	"$RE" -S -W "$1" | sed -n 's/^ *\[ *\([0-9]*\)\] \([^ ]*\).*/\1 \2/p' > "$tmp/idx"
	"$RE" -s -W "$1" | awk -v idxf="$tmp/idx" 'BEGIN { while ((getline l < idxf) > 0) { split(l, a, " "); n[a[1]] = a[2] } }
		/^ *[0-9]+: / { nd=$7; if (nd ~ /^[0-9]+$/) nd = n[nd]; name = (NF >= 8) ? $8 : "";
			print $2, $3, $4, $5, $6, nd, name }'
}
syms "$ref" > "$tmp/y1"; syms "$out" > "$tmp/y2"
if ! cmp -s "$tmp/y1" "$tmp/y2"; then echo "symbol tables differ:"; diff "$tmp/y1" "$tmp/y2" | head -10; rc=1; fi
exit $rc
