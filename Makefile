# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# ebtop: `make deps` (Debian packages, as root), `make`, `make test`, `make SAN=1 test`.

CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
ARCH     := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

ifeq ($(SAN),1)
BUILD    ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD    ?= build
SANFLAGS :=
endif

PKGS     := libbpf ncursesw sqlite3 libmicrohttpd jansson yaml-0.1 libcrypt
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP $(SANFLAGS)
CPPFLAGS += -Iinclude -Isrc -I$(BUILD) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lelf -lz -lpthread -lm
LDFLAGS  += $(SANFLAGS)

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKEL     := $(BUILD)/ebtop.skel.h

# The filter's own fragment names its sources for the fuzzer; SRCS picks them up too.
include src/filter/filter.mk

SRCS     := $(filter-out src/main.c,$(wildcard src/*.c src/*/*.c))
OBJS     := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(SRCS))
TOBJS    := $(patsubst src/%.c,$(BUILD)/tobj/%.o,$(SRCS))
UNIT     := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
TOOLS    := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(wildcard tests/tools/*.c))

.PHONY: all deps test unit clean format fuzz bench
all: ebtop

ebtop: $(BUILD)/ebtop
	ln -sf $(BUILD)/ebtop ebtop

$(BUILD)/ebtop: $(BUILD)/obj/main.o $(BUILD)/libebtop.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libebtop.a: $(OBJS)
	ar rcs $@ $^

$(BUILD)/libebtop-test.a: $(TOBJS)
	ar rcs $@ $^

# Every C object waits for the skeleton, so the first build has it.
$(BUILD)/obj/%.o: src/%.c | $(SKEL)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/tobj/%.o: src/%.c | $(SKEL)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DEBTOP_TESTING -c $< -o $@

$(BUILD)/vmlinux.h:
	@mkdir -p $(dir $@)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BUILD)/vmlinux.h
	@mkdir -p $(dir $@)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -MMD -MP \
		-Iinclude -Ibpf -I$(BUILD) -c $< -o $@

$(BUILD)/ebtop.bpf.o: $(BPF_OBJS)
	$(BPFTOOL) gen object $@ $^

$(SKEL): $(BUILD)/ebtop.bpf.o
	$(BPFTOOL) gen skeleton $< name ebtop_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libebtop-test.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DEBTOP_TESTING $(LDFLAGS) -o $@ $< \
		$(BUILD)/libebtop-test.a -lcmocka $(LDLIBS)

# Reference workloads are built plainly: a sanitizer would slow them and add processes of its own
# (LeakSanitizer's tracer is a child process), which the tests would count.
$(BUILD)/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(SANFLAGS),$(CFLAGS)) -o $@ $< -lpthread

unit: $(UNIT)

# libFuzzer targets (clang); run e.g. build/fuzz/fuzz_request tests/fuzz/corpus_request -max_total_time=60
FUZZFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc
$(BUILD)/fuzz/fuzz_request: tests/fuzz/fuzz_request.c src/serve/request.c src/model/fields.c \
		src/model/conn.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZFLAGS) -o $@ $^ -lm
$(BUILD)/fuzz/fuzz_filter: $(FILTER_FUZZ_SRCS) $(FILTER_SRCS)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZFLAGS) -o $@ $^ -lm
fuzz: $(BUILD)/fuzz/fuzz_request $(BUILD)/fuzz/fuzz_filter

# Benchmarks print figures, never pass or fail; the others are scripts in bench/.
$(BUILD)/bench/filter_bench: $(FILTER_BENCH_SRCS) $(BUILD)/libebtop.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libebtop.a -lm
$(BUILD)/bench/store_bench: bench/store_bench.c $(BUILD)/libebtop-test.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DEBTOP_TESTING $(LDFLAGS) -o $@ $< $(BUILD)/libebtop-test.a $(LDLIBS)
$(BUILD)/bench/serve_conns_bench: bench/serve_conns_bench.c $(BUILD)/libebtop-test.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DEBTOP_TESTING $(LDFLAGS) -o $@ $< $(BUILD)/libebtop-test.a $(LDLIBS)
# Empty programs on ebtop's hooks: the floor any tracepoint-based monitor pays (bench/overhead).
$(BUILD)/bench/floor.bpf.o: bench/floor.bpf.c $(BUILD)/vmlinux.h
	@mkdir -p $(dir $@)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -I$(BUILD) -c $< -o $@
$(BUILD)/bench/floor.skel.h: $(BUILD)/bench/floor.bpf.o
	$(BPFTOOL) gen skeleton $< name floor_bpf > $@.tmp && mv $@.tmp $@
$(BUILD)/bench/floor: bench/floor.c $(BUILD)/bench/floor.skel.h
	$(CC) $(CFLAGS) -I$(BUILD)/bench $(LDFLAGS) -o $@ $< $(shell pkg-config --libs libbpf) -lelf -lz
bench: $(BUILD)/bench/filter_bench $(BUILD)/bench/store_bench $(BUILD)/bench/serve_conns_bench \
	$(BUILD)/bench/floor

# Unit tests always; integration tests when running as root with BPF.
test: $(BUILD)/ebtop $(UNIT) $(TOOLS)
	BUILD=$(BUILD) tests/run.sh

deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		build-essential clang llvm pkg-config bpftool libbpf-dev libelf-dev zlib1g-dev \
		libncurses-dev libsqlite3-dev libmicrohttpd-dev libjansson-dev libcmocka-dev \
		iperf3 fio stress-ng nethogs jq sqlite3 tmux iproute2 iptables util-linux \
		procps prometheus wrk libyaml-dev libcrypt-dev curl openssl libbpf-tools \
		qemu-system-x86 busybox-static cpio xz-utils

format:
	clang-format -i $(wildcard src/*.c src/*/*.c src/*.h src/*/*.h bpf/*.c bpf/*.h include/ebtop/*.h tests/*/*.c)

clean:
	rm -rf build build-san ebtop

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
