# bpfkit readelf -x/-S/-s prints what GNU readelf prints, byte for byte, for every
# section of every test object (stdout, stderr and exit status).
. "$ROOT/tests/lib.sh"
command -v readelf >/dev/null || { skip readelf "GNU readelf not installed"; exit 0; }
command -v "$CLANG" >/dev/null || { skip readelf "$CLANG not installed"; exit 0; }
objs=
for src in "$ROOT"/tests/elf/*.c; do
	b=$(basename "$src" .c)
	$CLANG -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -mcpu=v3 -c "$src" -o "$T/$b-g.o" &&
	$CLANG -O2 -target bpf -I/usr/include/x86_64-linux-gnu -mcpu=v1 -c "$src" -o "$T/$b.o" ||
		{ notok "compile $b" "clang failed"; continue; }
	objs="$objs $T/$b-g.o $T/$b.o"
done
# same as readelf: stdout, stderr, status
same() {
	n=$1; shift
	readelf "$@" > "$T/a.out" 2> "$T/a.err"; ra=$?
	$BPFKIT readelf "$@" > "$T/b.out" 2> "$T/b.err"; rb=$?
	if [ $ra -ne $rb ]; then notok "$n" "status $rb, readelf $ra"; return; fi
	if ! cmp -s "$T/a.err" "$T/b.err"; then notok "$n" "stderr: $(diff "$T/a.err" "$T/b.err" | head -4 | tr '\n' '|')"; return; fi
	check_same "$n" "$T/a.out" "$T/b.out"
}
for o in $objs; do
	b=$(basename "$o")
	n=$(readelf -S "$o" | grep -c '^  \[')
	# every section by number in one run (readelf dumps them in index order)
	args=; i=0
	while [ $i -lt "$n" ]; do args="$args -x $i"; i=$((i + 1)); done
	same "-x every section ($n) of $b" $args "$o"
	same "-S $b" -S "$o"
	same "-s $b" -s "$o"
	same "-x by name $b" -x .strtab -x license -x .BTF -x .text -x 1 "$o"
done
set -- $objs
same "several files, missing sections" -x xdp -x .bss -x 99 -x nosuch -x .symtab -x 77 -x 3 -x nosuch -x 0 "$1" "$2" "$3"
same "-S -s -x together" -S -s -x 2 "$1"
check_fails "readelf refuses a non-ELF file" "not an ELF file" $BPFKIT readelf -x 1 "$ROOT/tests/elf/tiny.c"
check "readelf --help" $BPFKIT readelf --help
