# berth: one binary, unit tests (cmocka, under ASan+UBSan), system tests (bats).
# GNU make + pkg-config. `make` builds ./berth; `make check` runs every test; `make demo` the main job.

PKGS := libarchive jansson sqlite3 libcrypto zlib libzstd libseccomp libcap libmnl libcurl libfyaml libnftables
CC ?= cc
OPT ?= -O2 -g
WARN := -Wall -Wextra -Werror
BASE_CFLAGS := -std=gnu17 $(WARN) -D_GNU_SOURCE -Isrc -MMD -MP
include mk/link.mk
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(LAZY_DEFS)
# not linked: the lazily loaded libraries; linked statically: STATIC_PKGS (mk/link.mk)
PKG_LIBS := $(STATIC_LIBS) $(shell pkg-config --libs $(filter-out $(LAZY_PKGS) $(STATIC_PKGS),$(PKGS)) 2>/dev/null) -lm -lpthread
CFLAGS_ALL = $(BASE_CFLAGS) $(OPT) $(PKG_CFLAGS) $(CFLAGS)

SRCS := $(shell find src -name '*.c' | sort)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
OBJS := $(SRCS:%.c=build/%.o)
LIB_OBJS := $(LIB_SRCS:%.c=build/%.o)

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_LIB_OBJS := $(LIB_SRCS:%.c=build-asan/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build-asan/tests/%)

.PHONY: all deps check check-unit check-system check-interop demo fuzz bench clean
all: berth

deps:
	@scripts/install-deps.sh

berth: $(OBJS)
	$(CC) $(OPT) -o $@ $(OBJS) $(PKG_LIBS) $(LDFLAGS)

build/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

build-asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) $(PKG_CFLAGS) $(CFLAGS) -c -o $@ $<

build-asan/libberth.a: $(ASAN_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

build-asan/tests/%: tests/unit/%.c build-asan/libberth.a
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) $(PKG_CFLAGS) -Itests/unit -o $@ $< build-asan/libberth.a $(PKG_LIBS) $(LAZY_LIBS) -lcmocka

unit-bins: $(UNIT_BINS)

# All tests: unit tests under ASan+UBSan, then the bats system tests; one summary line.
check: deps
	$(MAKE) berth unit-bins
	tests/run-all

check-unit: berth unit-bins
	tests/run-all unit

check-system: berth
	tests/run-all system

check-interop: deps berth
	tests/interop/run

demo: deps
	$(MAKE) berth
	scripts/demo.sh

fuzz:
	$(MAKE) -C fuzz run

bench: berth
	bench/run all

clean:
	rm -rf build build-asan berth

-include $(OBJS:.o=.d) $(ASAN_LIB_OBJS:.o=.d)
include mk/monitor.mk
