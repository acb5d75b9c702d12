# mk/monitor.mk: berth-monitor, the small static steady-state monitor of detached containers
# (monitor/berth-monitor.c + the shared log writer src/runtime/logsink.c; libc only, no other
# library).
# It is installed next to berth, which finds it through the directory of /proc/self/exe.
# `berth` has it as an order-only prerequisite: `make berth` builds both (without relinking berth).
MONITOR_SRCS := monitor/berth-monitor.c src/runtime/logsink.c
# musl (Debian's musl-tools) when installed: ~35 KB, ~0.1 MiB RSS; else static glibc (~0.7 MiB RSS)
MONITOR_CC ?= $(if $(shell command -v musl-gcc 2>/dev/null),musl-gcc,$(CC))
MONITOR_CFLAGS := -std=gnu17 $(WARN) -D_GNU_SOURCE -Isrc -Os -g -ffunction-sections -fdata-sections

berth-monitor: $(MONITOR_SRCS) src/runtime/logsink.h
	$(MONITOR_CC) $(MONITOR_CFLAGS) -static -Wl,--gc-sections -o $@ $(MONITOR_SRCS)

berth: | berth-monitor

.PHONY: clean-monitor
clean: clean-monitor
clean-monitor:
	rm -f berth-monitor
