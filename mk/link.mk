# mk/link.mk: how berth links its libraries, tuned for start-up cost (docs/startup.md).
# Included by the Makefile (and fuzz/Makefile for LAZY_DEFS).
comma := ,
#
# 1. Loaded with dlopen on first use, not linked: berth is compiled against their headers;
#    src/util/lazy_<lib>.c (and util/sha256.c for libcrypto) gets each soname, read at build
#    time from the .so the linker would have used: -DLAZY_SONAME_curl='"libcurl.so.4"'.
LAZY_PKGS := libcurl libarchive libnftables libfyaml libcrypto
LAZY_LIBNAMES := curl archive nftables fyaml crypto
lazy_soname = $(shell objdump -p "$$($(CC) -print-file-name=lib$(1).so)" 2>/dev/null | awk '$$1 == "SONAME" { print $$2 }')
LAZY_DEFS := $(foreach l,$(LAZY_LIBNAMES),-DLAZY_SONAME_$(l)='"$(call lazy_soname,$(l))"')
# to link them directly (unit tests, whose own code calls libarchive and libcurl)
LAZY_LIBS := $(shell pkg-config --libs $(LAZY_PKGS) 2>/dev/null)

# 2. Linked statically when the distribution ships the .a (fewer objects for ld.so to map and
#    relocate); libc, libm and libmnl (no .a) stay dynamic.
STATIC_CANDIDATES := jansson sqlite3 zlib libzstd libseccomp libcap
have_static = $(filter /%,$(shell $(CC) -print-file-name=lib$(patsubst -l%,%,$(shell pkg-config --libs-only-l $(1) 2>/dev/null)).a))
STATIC_PKGS := $(foreach p,$(STATIC_CANDIDATES),$(if $(call have_static,$(p)),$(p)))
STATIC_LIBS := $(if $(STATIC_PKGS),-Wl$(comma)-Bstatic $(shell pkg-config --libs $(STATIC_PKGS) 2>/dev/null) -Wl$(comma)-Bdynamic)
