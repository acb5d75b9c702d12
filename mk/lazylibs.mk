# mk/lazylibs.mk: libraries berth loads with dlopen on first use (docs/startup.md).
# Included by the Makefile and fuzz/Makefile. berth is compiled against their headers but not
# linked with them; src/util/lazy_<lib>.c gets each soname, read at build time from the .so the
# linker would have used (-DLAZY_SONAME_curl='"libcurl.so.4"').
LAZY_PKGS := libcurl libarchive libnftables libfyaml libcrypto
LAZY_LIBNAMES := curl archive nftables fyaml crypto
lazy_soname = $(shell objdump -p "$$($(CC) -print-file-name=lib$(1).so)" 2>/dev/null | awk '$$1 == "SONAME" { print $$2 }')
LAZY_DEFS := $(foreach l,$(LAZY_LIBNAMES),-DLAZY_SONAME_$(l)='"$(call lazy_soname,$(l))"')
# to link them directly (unit tests, fuzz harnesses that call them themselves)
LAZY_LIBS := $(shell pkg-config --libs $(LAZY_PKGS) 2>/dev/null)
