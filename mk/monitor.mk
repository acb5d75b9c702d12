# mk/monitor.mk: berth-monitor, the small static steady-state monitor of detached containers
# (monitor/berth-monitor.c + the shared log writer src/runtime/logsink.c; libc only).
# It is installed next to berth, which finds it through the directory of /proc/self/exe.
# `berth` depends on it so that `make berth` builds both.
MONITOR_SRCS := monitor/berth-monitor.c src/runtime/logsink.c
MONITOR_CFLAGS := -std=gnu17 $(WARN) -D_GNU_SOURCE -Isrc -Os -g -ffunction-sections -fdata-sections

berth-monitor: $(MONITOR_SRCS) src/runtime/logsink.h
	$(CC) $(MONITOR_CFLAGS) $(CFLAGS) -static -Wl,--gc-sections -o $@ $(MONITOR_SRCS)

berth: berth-monitor

.PHONY: clean-monitor
clean: clean-monitor
clean-monitor:
	rm -f berth-monitor
