# hvfuzz: one top-level Makefile. Knobs: CC= SANITIZE= WERROR=0 V=1 EXTRA_CFLAGS= B= (build dir).
CC ?= cc
B ?= build
SANITIZE ?=
WERROR ?= 1

ifeq ($(V),1)
Q :=
else
Q := @
endif

CFLAGS := -std=gnu11 -O2 -g
CFLAGS += -Wall
CFLAGS += -Wextra
CFLAGS += -Wno-unused-parameter
CFLAGS += -Iinclude
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

MON_SRCS := $(wildcard monitor/*.c)
MON_SRCS += $(wildcard hypercalls/*.c)
# fuzz/*.c is the library part of the fuzzer (codec, generators, oracles); engine harnesses live in
# fuzz/harness/ and are built by their own targets.
MON_SRCS += $(wildcard fuzz/*.c)
CONF_SRCS := $(wildcard conformance/*.c)
TEST_SRCS := $(wildcard tests/*.c)
TOOL_SRCS := $(wildcard tools/*.c)

MON_OBJS := $(MON_SRCS:%.c=$(B)/%.o)
CONF_OBJS := $(CONF_SRCS:%.c=$(B)/%.o)
TEST_OBJS := $(TEST_SRCS:%.c=$(B)/%.o)
TOOL_OBJS := $(TOOL_SRCS:%.c=$(B)/%.o)

all: $(B)/hvfuzz $(B)/unit-tests

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(B)/libhvmon.a: $(MON_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

# Conformance and unit-test objects register themselves by constructor: link them directly.
$(B)/hvfuzz: $(TOOL_OBJS) $(CONF_OBJS) $(B)/libhvmon.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/unit-tests: $(TEST_OBJS) $(B)/libhvmon.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests and the conformance suite, once plain and once under ASan+UBSan.
check: check-one
	$(Q)$(MAKE) --no-print-directory B=build/asan SANITIZE=address,undefined check-one

# Sanitizer reports with a stack, so a CI log is readable without a rerun.
check-one: export UBSAN_OPTIONS ?= print_stacktrace=1
check-one: $(B)/hvfuzz $(B)/unit-tests
	@echo "== unit tests ($(B))"
	$(Q)$(B)/unit-tests
	@echo "== conformance suite ($(B))"
	$(Q)$(B)/hvfuzz conform --junit $(B)/conformance-junit.xml
	$(Q)xmllint --noout $(B)/conformance-junit.xml

# apt-get needs root: go through sudo unless we are root already (CI containers usually are).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
deps:
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $(DEB_PACKAGES)

DEB_PACKAGES := build-essential
DEB_PACKAGES += clang
DEB_PACKAGES += llvm
DEB_PACKAGES += libclang-rt-14-dev
DEB_PACKAGES += afl++
DEB_PACKAGES += libcapstone-dev
DEB_PACKAGES += libunicorn-dev
DEB_PACKAGES += libcunit1-dev
DEB_PACKAGES += libxml2-utils

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
FUZZ_CFLAGS += -fno-omit-frame-pointer
FUZZ_CFLAGS += -fno-sanitize-recover=all
ifeq ($(WERROR),1)
FUZZ_CFLAGS += -Werror
endif
FUZZ_CODEC_SRCS := $(wildcard fuzz/prog*.c)
FUZZ_CODEC_SRCS += fuzz/harness/codec.c
FUZZ_CODEC_DEPS := $(FUZZ_CODEC_SRCS)
FUZZ_CODEC_DEPS += $(wildcard fuzz/*.h)
FUZZ_CODEC_DEPS += include/hvfuzz/prog.h
FUZZ_CODEC_DEPS += include/hvfuzz/xen.h

fuzz-libfuzzer: build/fuzz/codec-libfuzzer

build/fuzz/codec-libfuzzer: $(FUZZ_CODEC_DEPS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_ENGINE),$(FUZZ_SANITIZE) -o $@ $(FUZZ_CODEC_SRCS)

# Replays files or corpus directories without an engine (regressions, CI).
fuzz-replay: build/fuzz/codec-replay

build/fuzz/codec-replay: $(FUZZ_CODEC_DEPS) fuzz/harness/replay_main.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(CC) $(FUZZ_CFLAGS) -fsanitize=$(FUZZ_SANITIZE) -o $@ $(FUZZ_CODEC_SRCS) fuzz/harness/replay_main.c

.PHONY: fuzz-libfuzzer fuzz-replay

clean:
	rm -rf build

.PHONY: all check check-one deps clean
-include $(MON_OBJS:.o=.d) $(CONF_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(TOOL_OBJS:.o=.d)
