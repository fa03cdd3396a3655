# hvfuzz: one top-level Makefile. Knobs: CC= OPT= SANITIZE= WERROR=0 V=1 EXTRA_CFLAGS= B= (build dir).
CC ?= cc
B ?= build
SANITIZE ?=
WERROR ?= 1
# -O3: 12% fewer instructions per program than -O2 (docs/PERFORMANCE.md); sanitized builds keep
# -O2, which compiles faster (they look for faults, not speed)
ifeq ($(SANITIZE),)
OPT ?= -O3
else
OPT ?= -O2
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

CFLAGS := -std=gnu11 $(OPT) -g
CFLAGS += -Wall
CFLAGS += -Wextra
CFLAGS += -Wno-unused-parameter
CFLAGS += -Iinclude
CFLAGS += -I.
CFLAGS += -Iconformance
CFLAGS += -Itests
CFLAGS += -MMD -MP
ifeq ($(WERROR),1)
CFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
CFLAGS += -fsanitize=$(SANITIZE)
CFLAGS += -fno-sanitize-recover=all
CFLAGS += -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
endif
CFLAGS += $(EXTRA_CFLAGS)
LDLIBS += -lcunit

# The library, in data-flow order: the IR and its codecs, the monitor, the generators, the targets
# (one folder each), the fuzz loop and its oracles, the benchmarks, the conformance recorder.
# Engine harnesses live in fuzz/harness/ and are built by their own targets.
MON_SRCS := $(wildcard ir/*.c)
MON_SRCS += $(wildcard monitor/*.c)
MON_SRCS += $(wildcard hypercalls/*.c)
MON_SRCS += $(wildcard gen/*.c)
MON_SRCS += $(wildcard targets/*.c)
MON_SRCS += $(filter-out targets/unicorn/%,$(wildcard targets/*/*.c))
MON_SRCS += $(wildcard fuzz/*.c)
MON_SRCS += $(wildcard bench/*.c)
MON_SRCS += $(wildcard conformance/record/*.c)
MON_SRCS += $(wildcard tools/lib/*.c)
CONF_SRCS := $(wildcard conformance/*.c)
TEST_SRCS := $(wildcard tests/*.c)
TEST_SRCS += $(wildcard targets/*/tests/*.c)
TOOL_SRCS := $(wildcard tools/*.c)
# The unicorn target links libunicorn: the tool and the unit tests take it, the library does not.
UNI_SRCS := $(wildcard targets/unicorn/*.c)

MON_OBJS := $(MON_SRCS:%.c=$(B)/%.o)
CONF_OBJS := $(CONF_SRCS:%.c=$(B)/%.o)
TEST_OBJS := $(TEST_SRCS:%.c=$(B)/%.o)
TOOL_OBJS := $(TOOL_SRCS:%.c=$(B)/%.o)
UNI_OBJS := $(UNI_SRCS:%.c=$(B)/%.o)

all: $(B)/hvfuzz $(B)/unit-tests

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# The one file that names the source tree: the zoo's reproducers are found from any working
# directory (bench/bugzoo_repro.c; HVFUZZ_CORPORA overrides it at run time).
$(B)/bench/bugzoo_repro.o: CFLAGS += -DHVFUZZ_SRCDIR=\"$(CURDIR)\"
# The xen target finds Xen and its agent in the build tree (HVFUZZ_XEN_ELF/_AGENT override).
$(B)/targets/xen/vm.o: CFLAGS += -DHVFUZZ_XEN_DIR=\"$(CURDIR)/build/xen\"

$(B)/libhvmon.a: $(MON_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

# Conformance and unit-test objects register themselves by constructor: link them directly.
# Capstone disassembles exit instructions in the tool's reports (tools/disasm.c), not in the library.
$(B)/hvfuzz: LDLIBS += -lcapstone
$(B)/hvfuzz: LDLIBS += -lunicorn
$(B)/hvfuzz: $(TOOL_OBJS) $(CONF_OBJS) $(UNI_OBJS) $(B)/libhvmon.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Capstone is the x86 decoder's reference in the unit tests only; the monitor never links it.
$(B)/unit-tests: LDLIBS += -lcapstone
$(B)/unit-tests: LDLIBS += -lunicorn
$(B)/unit-tests: $(TEST_OBJS) $(UNI_OBJS) $(B)/libhvmon.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# ir/ stands alone (a freestanding guest agent compiles it): first, no source in ir/ includes a
# header other than ir/'s own and these; then the codec harness, linked with ir/ and nothing else,
# replays the codec corpus.
IR_SRCS := $(wildcard ir/*.c)
IR_HEADERS := include/hvfuzz/abi.h
IR_HEADERS += include/hvfuzz/io.h
IR_HEADERS += include/hvfuzz/prog.h
IR_HEADERS += include/hvfuzz/xen.h

$(B)/libhvir.a: $(IR_SRCS:%.c=$(B)/%.o)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/codec-ir: $(B)/fuzz/harness/codec.o $(B)/fuzz/harness/replay_main.o $(B)/libhvir.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ || \
		{ echo "check-ir: FAIL: ir/ calls code outside ir/ (undefined references above)"; exit 1; }

check-ir: $(B)/codec-ir
	@echo "== ir/ alone"
	$(Q)$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -MM $(IR_SRCS) >$(B)/ir-deps.txt
	$(Q)bad=$$(tr ' \\' '\n\n' <$(B)/ir-deps.txt | grep -v -e '^$$' -e ':$$' -e '^ir/' \
		$(IR_HEADERS:%=-e '^%$$') | sort -u | tr '\n' ' '); \
	if [ -n "$$bad" ]; then echo "check-ir: FAIL: ir/ includes $$bad(only ir/ and $(IR_HEADERS))"; \
		exit 1; fi
	$(Q)$(B)/codec-ir corpora/codec >/dev/null || \
		{ echo "check-ir: FAIL: the codec harness, built from ir/ alone, fails on corpora/codec"; exit 1; }
	@echo "ir/ includes only ir/ and $(notdir $(IR_HEADERS)), and links alone"

# ir/ alone, then the unit tests and the conformance suite, once plain and once under ASan+UBSan;
# the recorded conformance corpus and the fuzzing smoke once.
check: check-ir
check: check-one
	$(Q)$(MAKE) --no-print-directory B=build/asan SANITIZE=address,undefined check-one
	$(Q)$(MAKE) --no-print-directory check-corpus
	$(Q)$(MAKE) --no-print-directory check-fuzz

# Sanitizer reports with a stack, so a CI log is readable without a rerun.
check-one: export UBSAN_OPTIONS ?= print_stacktrace=1
check-one: $(B)/hvfuzz $(B)/unit-tests
	@echo "== unit tests ($(B))"
	$(Q)$(B)/unit-tests
	@echo "== conformance suite ($(B))"
	$(Q)$(B)/hvfuzz conform --junit $(B)/conformance-junit.xml
	$(Q)xmllint --noout $(B)/conformance-junit.xml

# The recorded conformance corpus (corpora/conformance, tools/record-seeds.sh): every program
# replays on the native target with the results it states; the unit test conformance_corpus
# (run by check-one) holds its size above the floor. Per-file lines go to a log, shown on failure.
check-corpus: $(B)/hvfuzz
	@echo "== conformance corpus (corpora/conformance, native target)"
	$(Q)$(B)/hvfuzz replay corpora/conformance >$(B)/conformance-replay.log 2>&1 || \
		{ grep -v ': ok (' $(B)/conformance-replay.log | tail -n 60; exit 1; }
	$(Q)tail -n 1 $(B)/conformance-replay.log

.PHONY: check-corpus

# Fuzzing smoke, once rather than per flavour: every regression reproducer replays with no finding,
# and each generator runs briefly from a fixed seed. A command or engine this build lacks is
# skipped with a message, never silently.
FUZZ_SMOKE_RUNS ?= 3000
FUZZ_SMOKE_DIR := build/fuzz/smoke
# The unicorn harness runs a few times slower; its smoke also compares features with the guest's
# block edges on and off (HVFUZZ_UNI_COV=0) over its seeds.
FUZZ_UNI_RUNS ?= 500
FUZZ_UNI_DIR := build/fuzz/smoke-unicorn
check-fuzz: $(B)/hvfuzz
	@echo "== regression reproducers (corpora/regressions)"
	$(Q)if ! $(B)/hvfuzz help replay >/dev/null 2>&1; then \
		echo "SKIP: this build has no 'hvfuzz replay'"; \
	elif [ -z "$$(ls -A corpora/regressions 2>/dev/null)" ]; then \
		echo "corpora/regressions is empty"; \
	else $(B)/hvfuzz replay corpora/regressions; fi
	@echo "== random generator smoke (hvfuzz fuzz --runs $(FUZZ_SMOKE_RUNS) --seed 1)"
	$(Q)if $(B)/hvfuzz help fuzz >/dev/null 2>&1; then \
		$(B)/hvfuzz fuzz --runs $(FUZZ_SMOKE_RUNS) --seed 1; \
	else echo "SKIP: this build has no 'hvfuzz fuzz'"; fi
	@echo "== libFuzzer smoke (native harness, $(FUZZ_SMOKE_RUNS) runs from corpora/native)"
	$(Q)if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory build/fuzz/native-libfuzzer && \
		rm -rf $(FUZZ_SMOKE_DIR) && mkdir -p $(FUZZ_SMOKE_DIR)/corpus && \
		build/fuzz/native-libfuzzer -runs=$(FUZZ_SMOKE_RUNS) -seed=1 \
			-dict=fuzz/harness/native.dict -artifact_prefix=$(FUZZ_SMOKE_DIR)/ \
			$(FUZZ_SMOKE_DIR)/corpus corpora/native 2>$(FUZZ_SMOKE_DIR)/log || \
		{ tail -n 60 $(FUZZ_SMOKE_DIR)/log; exit 1; }; \
		grep -E "INITED|DONE" $(FUZZ_SMOKE_DIR)/log; \
	else echo "SKIP: $(FUZZ_CC) not found, so no libFuzzer smoke run ('make deps' installs it)"; fi
	@echo "== libFuzzer smoke (unicorn harness, $(FUZZ_UNI_RUNS) runs from corpora/unicorn; features with and without the guest's edges)"
	$(Q)if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory build/fuzz/unicorn-libfuzzer && \
		rm -rf $(FUZZ_UNI_DIR) && mkdir -p $(FUZZ_UNI_DIR)/corpus $(FUZZ_UNI_DIR)/off && \
		HVFUZZ_UNI_COV=0 build/fuzz/unicorn-libfuzzer -runs=0 $(FUZZ_UNI_DIR)/off corpora/unicorn \
			2>$(FUZZ_UNI_DIR)/off.log && \
		build/fuzz/unicorn-libfuzzer -runs=$(FUZZ_UNI_RUNS) -seed=1 -artifact_prefix=$(FUZZ_UNI_DIR)/ \
			$(FUZZ_UNI_DIR)/corpus corpora/unicorn 2>$(FUZZ_UNI_DIR)/log || \
		{ tail -n 60 $(FUZZ_UNI_DIR)/log; exit 1; }; \
		grep -E "INITED|DONE" $(FUZZ_UNI_DIR)/log; \
		off=$$(sed -n 's/.*INITED .* ft: \([0-9]*\) .*/\1/p' $(FUZZ_UNI_DIR)/off.log); \
		on=$$(sed -n 's/.*INITED .* ft: \([0-9]*\) .*/\1/p' $(FUZZ_UNI_DIR)/log); \
		echo "corpora/unicorn gives $$on features with the guest's block edges, $$off without"; \
		[ -n "$$off" ] && [ -n "$$on" ] && [ "$$on" -gt "$$off" ] || \
		{ echo "check-fuzz: FAIL: the guest's block edges add no libFuzzer feature"; exit 1; }; \
	else echo "SKIP: $(FUZZ_CC) not found, so no unicorn libFuzzer smoke run ('make deps' installs it)"; fi

.PHONY: check-fuzz

# The unicorn target (targets/unicorn, docs/TARGETS.md): the recorded conformance corpus and the
# zoo's reproducers replay on it with the results they state, the differential finds no
# difference between it and native on them, and short campaigns (its own, and native against
# it) find nothing on the clean monitor but hang:guest_code (generated code looping past its
# budget: the guest's doing, stored, not a failure). Skipped with one line where libunicorn is
# missing.
UNI_SMOKE_RUNS ?= 2000
UNI_SMOKE_DIR := build/fuzz/unicorn-smoke
check: check-unicorn
check-unicorn: $(B)/hvfuzz
	@echo "== unicorn target: corpora/conformance and corpora/zoo replayed, and diffed with native"
	$(Q)if ! $(B)/hvfuzz bench --target unicorn --runs 1 --secs 0.01 >/dev/null 2>&1; then \
		echo "SKIP: the unicorn target does not open here (libunicorn missing? 'make deps')"; \
	else \
		$(B)/hvfuzz replay -q --target unicorn corpora/conformance corpora/zoo corpora/regressions \
			>$(B)/unicorn-replay.log 2>&1 || { tail -n 60 $(B)/unicorn-replay.log; exit 1; }; \
		$(B)/hvfuzz diff --targets native,unicorn corpora/conformance corpora/zoo || exit 1; \
		echo "== unicorn smoke (fuzz --target unicorn, fuzz --diff native,unicorn: $(UNI_SMOKE_RUNS) runs each)"; \
		rm -rf $(UNI_SMOKE_DIR); \
		for how in "--target unicorn" "--diff native,unicorn"; do \
			$(B)/hvfuzz fuzz $$how --runs $(UNI_SMOKE_RUNS) --seed 1 --out $(UNI_SMOKE_DIR); \
			[ $$? -le 1 ] || exit 1; \
		done; \
		bad=$$(ls $(UNI_SMOKE_DIR) 2>/dev/null | grep -v -e '-hang_guest_code$$' -e '^\.'); \
		[ -z "$$bad" ] || { echo "unicorn smoke found: $$bad (in $(UNI_SMOKE_DIR))"; exit 1; }; \
		echo "unicorn smoke: no finding but $$(ls $(UNI_SMOKE_DIR) 2>/dev/null | wc -l) guest-code hang(s), the generated code's own loops"; \
	fi

.PHONY: check-unicorn

# The xen target (targets/xen, docs/XEN.md), part of check (five boots of Xen under QEMU, about
# 15 s; docs/XEN.md has the figures): the target's unit tests with the real-Xen ones switched on
# (the agent's undo, dom0's and a domU's: a program's results do not depend on the one before),
# the smoke programs (dom0's and the domUs') replayed with the results real Xen gave when they
# were written, the smoke program exported
# (hvfuzz export) and its reproducer run without hvfuzz, and the differential with the
# native target over them and the portable conformance corpus, which fails on any difference
# targets/xen/tests/known-differences.txt does not explain (docs/XEN.md has each in full).
# Skipped with one line where QEMU or the hypervisor image is missing.
check-xen: $(B)/hvfuzz $(B)/unit-tests xen-agent
	@echo "== xen target: Xen 4.17 under QEMU, targets/xen/tests"
	$(Q)if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then \
		echo "SKIP: qemu-system-x86_64 not found, so no xen target tests ('make deps' installs it)"; \
	elif [ ! -r $(XEN_DIR)/xen.elf ]; then \
		echo "SKIP: no $(XEN_DIR)/xen.elf, so no xen target tests ('make xen-image' fetches it)"; \
	else \
		HVFUZZ_XEN_TESTS=1 $(B)/unit-tests xen_ >$(B)/xen-unit.log 2>&1 || \
			{ tail -n 40 $(B)/xen-unit.log; exit 1; }; \
		tail -n 1 $(B)/xen-unit.log; \
		$(B)/hvfuzz replay --no-fork --target xen targets/xen/tests/progs || exit 1; \
		rm -rf $(B)/xen-export; \
		$(B)/hvfuzz export --target xen targets/xen/tests/progs/smoke.txt -o $(B)/xen-export \
			>/dev/null || exit 1; \
		n=$$(timeout 120 $(B)/xen-export/run.sh </dev/null | grep -a -c '^HVR 0 '); \
		[ "$$n" = 14 ] || { echo "check-xen: FAIL: the exported smoke reproducer gave $$n results, not 14"; exit 1; }; \
		echo "hvfuzz export: the smoke program's reproducer runs without hvfuzz ($$n results)"; \
		$(B)/hvfuzz diff --targets native,xen --known targets/xen/tests/known-differences.txt \
			targets/xen/tests/progs corpora/conformance >$(B)/xen-diff.log 2>&1 || \
			{ grep -E '^[^ ].*: DIFF|^diffed|agreement' $(B)/xen-diff.log; \
			  echo "check-xen: FAIL: the model and Xen differ where nothing explains it"; exit 1; }; \
		grep -E '^diffed|agreement' $(B)/xen-diff.log; \
	fi

check: check-xen
.PHONY: check-xen

# The argument census (docs/FUZZING.md): the value classes and states of every hypercall and exit
# field that the random generator produces, at a small N with a floor (100% takes about 1M).
CENSUS_RUNS ?= 20000
CENSUS_FLOOR ?= 95
check: check-census
check-census: $(B)/hvfuzz
	@echo "== argument census (hvfuzz census --runs $(CENSUS_RUNS) --floor $(CENSUS_FLOOR))"
	$(Q)$(B)/hvfuzz census --runs $(CENSUS_RUNS) --floor $(CENSUS_FLOOR) --missing \
		>$(B)/census.txt || { grep missing $(B)/census.txt; tail -n 1 $(B)/census.txt; exit 1; }
	$(Q)tail -n 1 $(B)/census.txt

.PHONY: check-census

# Shell tests of whole commands (processes, signals, file systems): each tests/shell/*.sh alone.
SHELL_TESTS := $(filter-out tests/shell/lib.sh,$(wildcard tests/shell/*.sh))
check: check-shell
check-shell: $(B)/hvfuzz
	$(Q)for t in $(SHELL_TESTS); do echo "== $$t"; HVFUZZ=$(B)/hvfuzz sh $$t || exit 1; done
.PHONY: check-shell

# The bug zoo's short run for CI, never part of check (docs/BUGZOO.md): the bugs the random
# generator finds in a few seconds, one 20 s campaign each, and the control run with no bug.
BUGZOO_CI_BUGS ?= none,xsa148,xsa182,xsa193,xsa212,xsa224,xsa240,xsa241,xsa255,xsa286,xsa299,xsa401,uart-fifo,dma-escape
bugzoo-ci: $(B)/hvfuzz
	$(Q)$(B)/hvfuzz bugzoo --bugs $(BUGZOO_CI_BUGS) --time 20 --trials 1

.PHONY: bugzoo-ci

# apt-get needs root: go through sudo unless we are root already (CI containers usually are).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
deps:
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $(DEB_PACKAGES)
	$(Q)$(MAKE) --no-print-directory xen-image

DEB_PACKAGES := build-essential
DEB_PACKAGES += clang
DEB_PACKAGES += llvm
DEB_PACKAGES += libclang-rt-14-dev
DEB_PACKAGES += afl++
DEB_PACKAGES += libcapstone-dev
DEB_PACKAGES += libunicorn-dev
DEB_PACKAGES += libcunit1-dev
DEB_PACKAGES += libxml2-utils
# QEMU runs the xen target's hypervisor (software emulation: no /dev/kvm needed).
DEB_PACKAGES += qemu-system-x86

# The xen target's hypervisor (docs/XEN.md): Debian's binary package, downloaded and unpacked in
# the build tree, never installed into /boot and never built here. QEMU's -kernel refuses the
# gzip, hence the zcat. Idempotent: nothing is downloaded once build/xen/xen.elf exists.
XEN_DIR := build/xen
XEN_DEBS := xen-hypervisor-4.17-amd64
XEN_DEBS += xen-hypervisor-common
xen-image: $(XEN_DIR)/xen.elf
$(XEN_DIR)/xen.elf:
	@mkdir -p $(XEN_DIR)/debs $(XEN_DIR)/root
	$(Q)cd $(XEN_DIR)/debs && apt-get download $(XEN_DEBS) >download.log 2>&1 || \
		{ cat download.log; echo "xen-image: FAIL: 'apt-get download $(XEN_DEBS)' failed (network? Debian 12 sources?)"; exit 1; }
	$(Q)for d in $(XEN_DIR)/debs/*.deb; do dpkg -x "$$d" $(XEN_DIR)/root || exit 1; done
	$(Q)zcat $(XEN_DIR)/root/boot/xen-4.17-amd64.gz >$@.tmp || \
		{ rm -f $@.tmp; echo "xen-image: FAIL: no boot/xen-4.17-amd64.gz in the packages"; exit 1; }
	$(Q)mv $@.tmp $@
	@echo "xen-image: $@ from $$(cd $(XEN_DIR)/debs && ls *.deb | tr "\n" " ")"

.PHONY: xen-image

# The xen target's dom0 agent (targets/xen/agent, docs/XEN.md): a freestanding PV64 kernel built
# with the system compiler, its own linker script, and the IR decoder compiled freestanding from
# ir/'s own sources (sections the agent never reaches are dropped, libc calls and all).
AGENT_SRCS := $(wildcard targets/xen/agent/*.c)
AGENT_SRCS += targets/xen/agent/head.S
AGENT_IR_SRCS := ir/prog_binary.c
AGENT_IR_SRCS += ir/prog.c
AGENT_IR_SRCS += ir/prog_expect.c
AGENT_IR_SRCS += ir/abi.c
AGENT_OBJ := $(XEN_DIR)/agent-obj
AGENT_OBJS := $(patsubst %,$(AGENT_OBJ)/%.o,$(basename $(AGENT_SRCS) $(AGENT_IR_SRCS)))
AGENT_CFLAGS := -std=gnu11 -O2 -g
AGENT_CFLAGS += -Wall
AGENT_CFLAGS += -Wextra
AGENT_CFLAGS += -Wno-unused-parameter
AGENT_CFLAGS += -Iinclude
AGENT_CFLAGS += -I.
AGENT_CFLAGS += -ffreestanding
AGENT_CFLAGS += -fno-pic
AGENT_CFLAGS += -fno-pie
AGENT_CFLAGS += -fno-stack-protector
AGENT_CFLAGS += -fno-asynchronous-unwind-tables
AGENT_CFLAGS += -mno-red-zone
AGENT_CFLAGS += -mgeneral-regs-only
AGENT_CFLAGS += -ffunction-sections
AGENT_CFLAGS += -fdata-sections
AGENT_CFLAGS += -MMD -MP
ifeq ($(WERROR),1)
AGENT_CFLAGS += -Werror
endif
AGENT_LDFLAGS := -nostdlib
AGENT_LDFLAGS += -static
AGENT_LDFLAGS += -no-pie
AGENT_LDFLAGS += -Wl,--gc-sections
AGENT_LDFLAGS += -Wl,-T,targets/xen/agent/agent.lds
AGENT_LDFLAGS += -Wl,--build-id=none
# One segment holds code, data and the hypercall page Xen writes: RWX is intended.
AGENT_LDFLAGS += -Wl,--no-warn-rwx-segments

$(AGENT_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AGENTCC $<")
	$(Q)$(CC) $(AGENT_CFLAGS) -c $< -o $@
$(AGENT_OBJ)/%.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AGENTAS $<")
	$(Q)$(CC) $(AGENT_CFLAGS) -c $< -o $@
$(XEN_DIR)/agent.elf: $(AGENT_OBJS) targets/xen/agent/agent.lds
	@$(if $(Q),echo "  AGENTLD $@")
	$(Q)$(CC) $(AGENT_LDFLAGS) -o $@ $(AGENT_OBJS)
xen-agent: $(XEN_DIR)/agent.elf
all: $(XEN_DIR)/agent.elf
.PHONY: xen-agent
-include $(AGENT_OBJS:.o=.d)

# Codec fuzz harness: the codec's own sources compiled into each binary (no copy, no library), so
# the engine instruments exactly the code under test. Engine and sanitizer flags are knobs
# (OSS-Fuzz style): FUZZ_CC= FUZZ_ENGINE= FUZZ_SANITIZE=.
FUZZ_CC ?= clang
FUZZ_ENGINE ?= -fsanitize=fuzzer
FUZZ_SANITIZE ?= address,undefined
FUZZ_CFLAGS := -std=gnu11 -O1 -g
FUZZ_CFLAGS += -Wall
FUZZ_CFLAGS += -Wextra
FUZZ_CFLAGS += -Wno-unused-parameter
FUZZ_CFLAGS += -Iinclude
FUZZ_CFLAGS += -I.
FUZZ_CFLAGS += -fno-omit-frame-pointer
FUZZ_CFLAGS += -fno-sanitize-recover=all
ifeq ($(WERROR),1)
FUZZ_CFLAGS += -Werror
endif
# Harnesses: one source per fuzz target in fuzz/harness/ (replay_main.c is the engine-free driver,
# not a target). Each binary gets the library sources compiled in its own flavour, so the engine
# instruments the code under test, and one object directory per flavour keeps flavours apart.
FUZZ_CFLAGS += -MMD
FUZZ_CFLAGS += -MP
FUZZ_HARNESSES := $(filter-out replay_main,$(basename $(notdir $(wildcard fuzz/harness/*.c))))
FUZZ_LIB_SRCS := $(MON_SRCS)
FUZZ_LF := build/fuzz/obj-libfuzzer
FUZZ_AFL := build/fuzz/obj-afl
FUZZ_CMPLOG := build/fuzz/obj-afl-cmplog
FUZZ_RP := build/fuzz/obj-replay
# AFL++'s compiler; its binaries take the same sanitizer knob (empty: none, fastest).
AFL_CC ?= afl-clang-fast
FUZZ_AFL_SANITIZE ?= address,undefined
FUZZ_AFL_SANFLAGS := $(if $(FUZZ_AFL_SANITIZE),-fsanitize=$(FUZZ_AFL_SANITIZE))

# Sources that give the engines no signal of their own (the audit, the native target's build and
# reset: fuzz/harness/native.c says why) are compiled without coverage: clang's ignorelist for
# libFuzzer, and plain $(FUZZ_CC) with the same sanitizers in the AFL++ flavours (4.04c's
# AFL_LLVM_DENYLIST takes no wildcards). Change the list, then remove build/fuzz/obj-*.
FUZZ_NOCOV := fuzz/harness/nocov.txt
FUZZ_NOCOV_SRCS := $(wildcard $(patsubst src:*%,%,$(shell grep '^src:' $(FUZZ_NOCOV))))
$(FUZZ_LF)/%.o: FUZZ_CFLAGS += -fsanitize-coverage-ignorelist=$(FUZZ_NOCOV)
$(FUZZ_NOCOV_SRCS:%.c=$(FUZZ_AFL)/%.o): AFL_CC := $(FUZZ_CC)
$(FUZZ_NOCOV_SRCS:%.c=$(FUZZ_CMPLOG)/%.o): AFL_CC := $(FUZZ_CC)
# a source added to the list is rebuilt without coverage (one taken off it still needs the rm)
$(FUZZ_NOCOV_SRCS:%.c=$(FUZZ_LF)/%.o): $(FUZZ_NOCOV)
$(FUZZ_NOCOV_SRCS:%.c=$(FUZZ_AFL)/%.o): $(FUZZ_NOCOV)
$(FUZZ_NOCOV_SRCS:%.c=$(FUZZ_CMPLOG)/%.o): $(FUZZ_NOCOV)
# Sources whose comparisons give libFuzzer's mutator nothing (fuzz/harness/nocmp.txt says why)
# keep their edge coverage without comparison hooks; AFL++'s flavours have no such hooks.
FUZZ_NOCMP := fuzz/harness/nocmp.txt
FUZZ_NOCMP_SRCS := $(shell grep -v '^\#' $(FUZZ_NOCMP))
$(FUZZ_NOCMP_SRCS:%.c=$(FUZZ_LF)/%.o): FUZZ_CFLAGS += -fno-sanitize-coverage=trace-cmp
$(FUZZ_NOCMP_SRCS:%.c=$(FUZZ_LF)/%.o): $(FUZZ_NOCMP)

fuzz-libfuzzer: $(FUZZ_HARNESSES:%=build/fuzz/%-libfuzzer)
fuzz-afl: $(FUZZ_HARNESSES:%=build/fuzz/%-afl)
fuzz-afl: $(FUZZ_HARNESSES:%=build/fuzz/%-afl-cmplog)
# Replays files or corpus directories without an engine (regressions, CI).
fuzz-replay: $(FUZZ_HARNESSES:%=build/fuzz/%-replay)

$(FUZZ_LF)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SANITIZE) -c $< -o $@

# The library as an archive per flavour: a harness pulls in only the objects it uses. Objects go
# before it on the link line, so it also serves the objects a harness adds (the unicorn target's).
FUZZ_LINK = $(filter %.o,$^) $(filter-out %.o,$^)
build/fuzz/%/libhvmon.a:
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^
$(FUZZ_LF)/libhvmon.a: $(FUZZ_LIB_SRCS:%.c=$(FUZZ_LF)/%.o)
$(FUZZ_AFL)/libhvmon.a: $(FUZZ_LIB_SRCS:%.c=$(FUZZ_AFL)/%.o)
$(FUZZ_CMPLOG)/libhvmon.a: $(FUZZ_LIB_SRCS:%.c=$(FUZZ_CMPLOG)/%.o)
$(FUZZ_RP)/libhvmon.a: $(FUZZ_LIB_SRCS:%.c=$(FUZZ_RP)/%.o)

build/fuzz/%-libfuzzer: $(FUZZ_LF)/fuzz/harness/%.o $(FUZZ_LF)/libhvmon.a
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_ENGINE),$(FUZZ_SANITIZE) -o $@ $(FUZZ_LINK)

$(FUZZ_AFL)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AFLCC   $<")
	$(Q)AFL_QUIET=1 $(AFL_CC) $(FUZZ_CFLAGS) $(FUZZ_AFL_SANFLAGS) -c $< -o $@

# -fsanitize=fuzzer makes afl-clang-fast link its libFuzzer-compatible driver (persistent mode).
build/fuzz/%-afl: $(FUZZ_AFL)/fuzz/harness/%.o $(FUZZ_AFL)/libhvmon.a
	@$(if $(Q),echo "  AFL     $@")
	$(Q)AFL_QUIET=1 $(AFL_CC) -fsanitize=fuzzer $(FUZZ_AFL_SANFLAGS) -o $@ $(FUZZ_LINK)

$(FUZZ_CMPLOG)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CMPLOG  $<")
	$(Q)AFL_QUIET=1 AFL_LLVM_CMPLOG=1 $(AFL_CC) $(FUZZ_CFLAGS) $(FUZZ_AFL_SANFLAGS) -c $< -o $@

# The CmpLog binary afl-fuzz runs beside the main one (-c) to solve comparisons.
build/fuzz/%-afl-cmplog: $(FUZZ_CMPLOG)/fuzz/harness/%.o $(FUZZ_CMPLOG)/libhvmon.a
	@$(if $(Q),echo "  CMPLOG  $@")
	$(Q)AFL_QUIET=1 AFL_LLVM_CMPLOG=1 $(AFL_CC) -fsanitize=fuzzer $(FUZZ_AFL_SANFLAGS) -o $@ $(FUZZ_LINK)

$(FUZZ_RP)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(FUZZ_CFLAGS) -fsanitize=$(FUZZ_SANITIZE) -c $< -o $@

build/fuzz/%-replay: $(FUZZ_RP)/fuzz/harness/%.o $(FUZZ_RP)/fuzz/harness/replay_main.o \
                     $(FUZZ_RP)/libhvmon.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -fsanitize=$(FUZZ_SANITIZE) -o $@ $(FUZZ_LINK)

# The unicorn harness runs the unicorn target: its sources, compiled in the harness's flavour, and
# libunicorn (by path, as Capstone below) join that harness's link only.
UNICORN_LIB := $(shell $(CC) -print-file-name=libunicorn.so)
build/fuzz/unicorn-libfuzzer: $(UNI_SRCS:%.c=$(FUZZ_LF)/%.o)
build/fuzz/unicorn-libfuzzer: $(UNICORN_LIB)
build/fuzz/unicorn-afl: $(UNI_SRCS:%.c=$(FUZZ_AFL)/%.o)
build/fuzz/unicorn-afl: $(UNICORN_LIB)
build/fuzz/unicorn-afl-cmplog: $(UNI_SRCS:%.c=$(FUZZ_CMPLOG)/%.o)
build/fuzz/unicorn-afl-cmplog: $(UNICORN_LIB)
build/fuzz/unicorn-replay: $(UNI_SRCS:%.c=$(FUZZ_RP)/%.o)
build/fuzz/unicorn-replay: $(UNICORN_LIB)

# The decoder harness checks against Capstone: the comparison code and libcapstone (by path, so
# each flavour's link rule takes them from $^) join its link; no other target links Capstone.
CAPSTONE_LIB := $(shell $(CC) -print-file-name=libcapstone.so)
build/fuzz/decoder-libfuzzer: $(FUZZ_LF)/tests/x86_capstone_diff.o
build/fuzz/decoder-libfuzzer: $(CAPSTONE_LIB)
build/fuzz/decoder-afl: $(FUZZ_AFL)/tests/x86_capstone_diff.o
build/fuzz/decoder-afl: $(CAPSTONE_LIB)
build/fuzz/decoder-afl-cmplog: $(FUZZ_CMPLOG)/tests/x86_capstone_diff.o
build/fuzz/decoder-afl-cmplog: $(CAPSTONE_LIB)
build/fuzz/decoder-replay: $(FUZZ_RP)/tests/x86_capstone_diff.o
build/fuzz/decoder-replay: $(CAPSTONE_LIB)

# The codec harness tests the IR codec, which fuzz/harness/nocov.txt leaves without coverage for
# the program harnesses: it links its own ir/ objects, fully instrumented, from a directory per
# flavour. They come before the library on the link line, so its ir/ members stay out.
FUZZ_CODEC_SRCS := $(wildcard ir/*.c)
build/fuzz/codec-libfuzzer: $(FUZZ_CODEC_SRCS:%.c=$(FUZZ_LF)-codec/%.o)
build/fuzz/codec-afl: $(FUZZ_CODEC_SRCS:%.c=$(FUZZ_AFL)-codec/%.o)
build/fuzz/codec-afl-cmplog: $(FUZZ_CODEC_SRCS:%.c=$(FUZZ_CMPLOG)-codec/%.o)
$(FUZZ_LF)-codec/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SANITIZE) -c $< -o $@
$(FUZZ_AFL)-codec/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AFLCC   $<")
	$(Q)AFL_QUIET=1 $(AFL_CC) $(FUZZ_CFLAGS) $(FUZZ_AFL_SANFLAGS) -c $< -o $@
$(FUZZ_CMPLOG)-codec/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CMPLOG  $<")
	$(Q)AFL_QUIET=1 AFL_LLVM_CMPLOG=1 $(AFL_CC) $(FUZZ_CFLAGS) $(FUZZ_AFL_SANFLAGS) -c $< -o $@

# make bench-engines: runs per CPU-second of the random loop, libFuzzer and AFL++ on the native
# harness, in one run, as JSON (tools/bench-engines.sh; docs/PERFORMANCE.md). The engine binaries
# are built without sanitizers and at the random loop's $(OPT), so the engines' instrumentation
# and bookkeeping is what differs; an engine whose compiler is missing is skipped with one line.
# BENCH_ENGINES_ARGS= passes options (--help lists them).
FUZZ_BLF := build/fuzz/obj-bench-libfuzzer
FUZZ_BAFL := build/fuzz/obj-bench-afl
$(FUZZ_BLF)/%.o: FUZZ_CFLAGS += $(OPT)
$(FUZZ_BAFL)/%.o: FUZZ_CFLAGS += $(OPT)
$(FUZZ_BLF)/%.o: FUZZ_CFLAGS += -fsanitize-coverage-ignorelist=$(FUZZ_NOCOV)
$(FUZZ_NOCMP_SRCS:%.c=$(FUZZ_BLF)/%.o): FUZZ_CFLAGS += -fno-sanitize-coverage=trace-cmp
$(FUZZ_NOCMP_SRCS:%.c=$(FUZZ_BLF)/%.o): $(FUZZ_NOCMP)
$(FUZZ_BLF)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ_BAFL)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AFLCC   $<")
	$(Q)AFL_QUIET=1 $(AFL_CC) $(FUZZ_CFLAGS) -c $< -o $@
$(FUZZ_NOCOV_SRCS:%.c=$(FUZZ_BAFL)/%.o): AFL_CC := $(FUZZ_CC)
$(FUZZ_NOCOV_SRCS:%.c=$(FUZZ_BLF)/%.o): $(FUZZ_NOCOV)
$(FUZZ_NOCOV_SRCS:%.c=$(FUZZ_BAFL)/%.o): $(FUZZ_NOCOV)
$(FUZZ_BLF)/libhvmon.a: $(FUZZ_LIB_SRCS:%.c=$(FUZZ_BLF)/%.o)
$(FUZZ_BAFL)/libhvmon.a: $(FUZZ_LIB_SRCS:%.c=$(FUZZ_BAFL)/%.o)
# The unicorn harness's bench binaries take the unicorn target as its other flavours do.
build/fuzz/bench/unicorn-libfuzzer: $(UNI_SRCS:%.c=$(FUZZ_BLF)/%.o)
build/fuzz/bench/unicorn-libfuzzer: $(UNICORN_LIB)
build/fuzz/bench/unicorn-afl: $(UNI_SRCS:%.c=$(FUZZ_BAFL)/%.o)
build/fuzz/bench/unicorn-afl: $(UNICORN_LIB)
# The codec harness's bench binaries take its covered ir/ objects as its other flavours do.
build/fuzz/bench/codec-libfuzzer: $(FUZZ_CODEC_SRCS:%.c=$(FUZZ_BLF)-codec/%.o)
build/fuzz/bench/codec-afl: $(FUZZ_CODEC_SRCS:%.c=$(FUZZ_BAFL)-codec/%.o)
$(FUZZ_BLF)-codec/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ_BAFL)-codec/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AFLCC   $<")
	$(Q)AFL_QUIET=1 $(AFL_CC) $(FUZZ_CFLAGS) -c $< -o $@
build/fuzz/bench/%-libfuzzer: $(FUZZ_BLF)/fuzz/harness/%.o $(FUZZ_BLF)/libhvmon.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer -o $@ $(FUZZ_LINK)
build/fuzz/bench/%-afl: $(FUZZ_BAFL)/fuzz/harness/%.o $(FUZZ_BAFL)/libhvmon.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AFL     $@")
	$(Q)AFL_QUIET=1 $(AFL_CC) -fsanitize=fuzzer -o $@ $(FUZZ_LINK)
# CPU seconds of a whole process tree (afl-fuzz leaves its target to init): a child subreaper.
build/tools/cpurun: tools/engines/cpurun.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -o $@ $<
bench-engines: $(B)/hvfuzz build/tools/cpurun
	$(Q)tools/bench-engines.sh $(BENCH_ENGINES_ARGS)

.PHONY: bench-engines
# OSS-Fuzz's layout: build.sh run as $SRC/build.sh from a copy of the tree at $SRC/hvfuzz with the
# ASan libFuzzer variables, then -runs=4 per target with no seeds (skipped without clang).
check: check-oss-fuzz
check-oss-fuzz:
	@echo "== OSS-Fuzz build in the Dockerfile's layout (tools/oss-fuzz/test-layout.sh)"
	$(Q)tools/oss-fuzz/test-layout.sh

.PHONY: check-oss-fuzz

.PRECIOUS: $(FUZZ_BLF)/%.o $(FUZZ_BAFL)/%.o

.PRECIOUS: $(FUZZ_LF)/%.o $(FUZZ_AFL)/%.o $(FUZZ_CMPLOG)/%.o $(FUZZ_RP)/%.o

.PHONY: fuzz-libfuzzer fuzz-afl fuzz-replay

clean:
	rm -rf build

.PHONY: all check check-ir check-one deps clean
-include $(MON_OBJS:.o=.d) $(CONF_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(TOOL_OBJS:.o=.d) $(UNI_OBJS:.o=.d)
-include $(wildcard $(B)/fuzz/harness/*.d)
-include $(wildcard $(FUZZ_LF)/*/*.d $(FUZZ_LF)/*/*/*.d $(FUZZ_AFL)/*/*.d $(FUZZ_AFL)/*/*/*.d)
-include $(wildcard $(FUZZ_CMPLOG)/*/*.d $(FUZZ_CMPLOG)/*/*/*.d $(FUZZ_RP)/*/*.d $(FUZZ_RP)/*/*/*.d)
-include $(wildcard $(FUZZ_LF)/*/*/*/*.d $(FUZZ_AFL)/*/*/*/*.d $(FUZZ_CMPLOG)/*/*/*/*.d $(FUZZ_RP)/*/*/*/*.d)

# The ASan+UBSan build that `hvfuzz fuzz --sanitized` runs its campaign from (build/asan/hvfuzz).
.PHONY: asan
asan:
	$(Q)$(MAKE) --no-print-directory B=build/asan SANITIZE=address,undefined build/asan/hvfuzz
-include $(wildcard $(FUZZ_BLF)/*/*.d $(FUZZ_BLF)/*/*/*.d $(FUZZ_BAFL)/*/*.d $(FUZZ_BAFL)/*/*/*.d)
-include $(wildcard $(FUZZ_LF)-codec/*/*.d $(FUZZ_AFL)-codec/*/*.d $(FUZZ_CMPLOG)-codec/*/*.d)
-include $(wildcard $(FUZZ_BLF)-codec/*/*.d $(FUZZ_BAFL)-codec/*/*.d)
