/* attach.h: attaching the terminal to a running container (cmd/attach.c), shared by
 * `berth attach` and `berth start -a` of a container that already runs. */
#pragma once
#include <stdbool.h>
#include "runtime/runtime.h"
#include "store/store.h"

/* Output from the container's log, stdin (unless no_stdin) to it, signals forwarded when
 * sig_proxy; returns the container's exit status, 1 after the detach keys or on an error. */
int attach_running(struct store *st, struct ctr *c, bool no_stdin, bool sig_proxy, const char *keys);
