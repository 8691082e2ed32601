# bpfkit — one make for the whole toolkit.
#   make                 library (static + shared), pkg-config file, the bpfkit command
#   make check           every test; ends with "N passed, N failed, N skipped"
#   make check SANITIZE=1  the same suite under ASan + UBSan (separate build dir)
#   make fuzz            each libFuzzer harness for FUZZ_SECONDS
#   make install PREFIX=/usr/local
# Modules are discovered: src/<module>/*.c goes into the library, src/cli/*.c into
# the command, tests/unit/*.c become test programs. Adding a file needs no edit here.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
CC        ?= cc
SANITIZE  ?= 0
ifeq ($(origin CC),default)
CC := gcc
endif

ifeq ($(SANITIZE),1)
B         ?= build-san
SANFLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
OPT       := -O1 -g
else
B         ?= build
SANFLAGS  :=
OPT       := -O2 -g
endif

# The kernel front end needs libbpf; everything else needs libc alone.
KERN ?= $(shell pkg-config --exists libbpf 2>/dev/null && echo 1 || echo 0)
CAPSTONE ?= $(shell pkg-config --exists capstone 2>/dev/null && echo 1 || echo 0)

WARN      := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes
CFLAGS    ?= $(OPT)
ALLCFLAGS := -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -fPIC -Iinclude -Isrc -I$(B)/gen \
             -DBK_VERSION='"$(VERSION)"' -DBK_HAVE_KERN=$(KERN) -DBK_HAVE_CAPSTONE=$(CAPSTONE)
LDLIBS    := -lm
ifeq ($(KERN),1)
LDLIBS    += $(shell pkg-config --libs libbpf)
endif
ifeq ($(CAPSTONE),1)
LDLIBS    += $(shell pkg-config --libs capstone)
endif

# The command itself takes libbpf and capstone from their static archives, as a
# fixed-position executable (what bpftool does for libbpf): capstone's shared
# library carries 80,000 relocations that cost every start of bpfkit ~30 ms.
# Without the archives it links as the library does.
BIN_STATIC :=
BIN_DYN    := -lm
ifeq ($(KERN),1)
BPF_LIBDIR := $(shell pkg-config --variable=libdir libbpf 2>/dev/null)
BPF_DEPS   := $(patsubst -l%,%,$(filter-out -lbpf,$(shell pkg-config --libs --static libbpf 2>/dev/null)))
ifneq ($(wildcard $(BPF_LIBDIR)/libbpf.a),)
BIN_STATIC += -lbpf $(foreach l,$(BPF_DEPS),$(if $(wildcard $(BPF_LIBDIR)/lib$(l).a),-l$(l)))
BIN_DYN    += $(foreach l,$(BPF_DEPS),$(if $(wildcard $(BPF_LIBDIR)/lib$(l).a),,-l$(l)))
else
BIN_DYN    += $(shell pkg-config --libs libbpf)
endif
endif
ifeq ($(CAPSTONE),1)
ifneq ($(wildcard $(shell pkg-config --variable=libdir capstone 2>/dev/null)/libcapstone.a),)
BIN_STATIC += -lcapstone
else
BIN_DYN    += $(shell pkg-config --libs capstone)
endif
endif
# With every archive at hand (glibc's too) the command is fully static: no dynamic
# loader runs at all, which takes a `bpfkit version` from 3.3-5.6 to 2.3-2.8 ms of
# CPU on this VM (bpftool's: 4.3). Sanitizer builds need the dynamic runtime.
BIN_FULL_STATIC := $(if $(filter 0,$(SANITIZE)),$(if $(filter-out -lm,$(strip $(BIN_DYN))),,$(if $(filter /%,$(shell $(CC) -print-file-name=libc.a)),1)))
ifneq ($(strip $(BIN_STATIC)),)
ifeq ($(BIN_FULL_STATIC),1)
BIN_LDLIBS := -static $(BIN_STATIC) $(BIN_DYN)
else
BIN_LDLIBS := -no-pie -Wl,-Bstatic $(BIN_STATIC) -Wl,-Bdynamic $(BIN_DYN)
endif
else
BIN_LDLIBS := $(BIN_DYN)
endif

MODULES   := $(filter-out cli,$(notdir $(wildcard src/*)))
ifneq ($(KERN),1)
MODULES   := $(filter-out kern,$(MODULES))
endif
LIB_SRCS  := $(foreach m,$(MODULES),$(wildcard src/$(m)/*.c))
CLI_SRCS  := $(wildcard src/cli/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(B)/%.o)
CLI_OBJS  := $(CLI_SRCS:%.c=$(B)/%.o)
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)

all: $(B)/libbpfkit.a $(B)/libbpfkit.so $(B)/bpfkit.pc $(B)/bpfkit bpfkit

# The command lives in the build dir; ./bpfkit at the top is a link for convenience.
bpfkit: $(B)/bpfkit
	@ln -sf $(B)/bpfkit bpfkit

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -MMD -MP -c $< -o $@

# Commands register themselves with a BK_COMMAND(...) line in src/cli/*.c.
$(B)/gen/commands.h: $(CLI_SRCS)
	@mkdir -p $(dir $@)
	@grep -h '^BK_COMMAND(' $(CLI_SRCS) | sort > $@.tmp && mv $@.tmp $@
$(CLI_OBJS): $(B)/gen/commands.h

$(B)/libbpfkit.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/libbpfkit.so: $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libbpfkit.so.0 $(SANFLAGS) -o $@ $^ $(LDLIBS)

$(B)/bpfkit: $(CLI_OBJS) $(B)/libbpfkit.a
	$(CC) $(SANFLAGS) -o $@ $(CLI_OBJS) $(B)/libbpfkit.a $(BIN_LDLIBS)

$(B)/bpfkit.pc: bpfkit.pc.in Makefile
	@sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	     -e 's|@LIBS@|$(LDLIBS)|' -e 's|@REQUIRES@|$(if $(filter 1,$(KERN)),libbpf,)|' $< > $@

# Every compile writes a .d file next to its output (-MMD -MP; -MF/-MT where the
# output is a linked program, whose default .d name gcc and clang spell differently),
# so a change to any header rebuilds exactly what includes it: tap.h, jit_diff.h and
# the internal src/*/*.h headers the tests reach into included.
DEPFLAGS   = -MMD -MP -MF $@.d -MT $@
$(B)/tests/%: tests/unit/%.c $(B)/libbpfkit.a
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -Itests $(DEPFLAGS) -o $@ $< $(B)/libbpfkit.a $(LDLIBS)

check: all $(UNIT_BINS)
	@BK_BUILD=$(B) SANITIZE=$(SANITIZE) sh tests/run.sh

# --- fuzzing (clang + libFuzzer): fuzz/<name>.c each defines LLVMFuzzerTestOneInput
FUZZ_SRCS    := $(wildcard fuzz/*.c)
FUZZ_CC      ?= clang-19
FUZZ_SECONDS ?= 60
FB           := build-fuzz
FUZZ_FLAGS   := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc -I$(FB)/gen \
                -DBK_VERSION='"$(VERSION)"' -DBK_HAVE_KERN=0 -DBK_HAVE_CAPSTONE=0
FUZZ_LIBSRCS := $(filter-out src/kern/%,$(LIB_SRCS))
FUZZ_OBJS    := $(FUZZ_LIBSRCS:%.c=$(FB)/obj/%.o)
# The library is compiled once for all harnesses; each harness only links.
$(FB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS:-fsanitize=fuzzer,%=-fsanitize=fuzzer-no-link,%) -MMD -MP -c $< -o $@
$(FB)/libfuzzlib.a: $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^
$(FB)/%: fuzz/%.c $(FB)/libfuzzlib.a
	$(FUZZ_CC) $(FUZZ_FLAGS) $(DEPFLAGS) -o $@ $< $(FB)/libfuzzlib.a -lm
-include $(FUZZ_OBJS:.o=.d) $(FUZZ_SRCS:fuzz/%.c=$(FB)/%.d)
fuzz-build: $(FUZZ_SRCS:fuzz/%.c=$(FB)/%)
fuzz: fuzz-build
	@for f in $(FUZZ_SRCS:fuzz/%.c=%); do mkdir -p $(FB)/corpus-$$f; \
	  echo "fuzz $$f: $(FUZZ_SECONDS)s"; \
	  $(FB)/$$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 $(FB)/corpus-$$f fuzz/seeds/$$f $$([ -d tests/$$f ] && echo tests/$$f) 2>&1 | tail -3 || exit 1; done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/include/bpfkit $(DESTDIR)$(PREFIX)/share/man/man1
	install -m755 $(B)/bpfkit $(DESTDIR)$(PREFIX)/bin/bpfkit
	install -m644 $(B)/libbpfkit.a $(DESTDIR)$(PREFIX)/lib/
	install -m755 $(B)/libbpfkit.so $(DESTDIR)$(PREFIX)/lib/libbpfkit.so.0
	ln -sf libbpfkit.so.0 $(DESTDIR)$(PREFIX)/lib/libbpfkit.so
	install -m644 include/bpfkit/*.h include/bpfkit/*.def $(DESTDIR)$(PREFIX)/include/bpfkit/
	install -m644 $(B)/bpfkit.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/
	install -m644 man/bpfkit.1 $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf build build-san build-fuzz bpfkit

.PHONY: all check fuzz fuzz-build install clean
-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(UNIT_BINS:=.d)

# The README's test command: the suite, then the same suite under ASan + UBSan.
# The runner's last line carries the totals of both runs.
check-all:
	@$(MAKE) --no-print-directory check > $(B)-check.log 2>&1; s1=$$?; cat $(B)-check.log; \
	 $(MAKE) --no-print-directory check SANITIZE=1 > build-san-check.log 2>&1; s2=$$?; cat build-san-check.log; \
	 p=0; f=0; s=0; for l in $(B)-check.log build-san-check.log; do \
	   set -- $$(grep -E '^[0-9]+ passed, [0-9]+ failed' $$l | tail -1 | tr -d ','); \
	   if [ $$# -ge 4 ]; then p=$$((p+$$1)); f=$$((f+$$3)); s=$$((s+$${5:-0})); else f=$$((f+1)); fi; done; \
	 echo; echo "all runs (plain + sanitizers):"; echo "$$p passed, $$f failed, $$s skipped"; \
	 [ $$s1 -eq 0 ] && [ $$s2 -eq 0 ] && [ $$f -eq 0 ]
.PHONY: check-all
