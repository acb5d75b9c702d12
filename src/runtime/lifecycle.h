/* lifecycle.h: stop/kill/wait/start of existing containers (lifecycle.c). */
#pragma once
#include "runtime/runtime.h"

bool ctr_wait_stopped(struct store *st, struct ctr *c, int timeout_ms);
/* Signal the container init; err status 1 with Docker's words if it is not running. */
int ctr_kill(struct store *st, struct ctr *c, int sig, berr *err);
/* StopSignal (default SIGTERM), wait timeout seconds (<0: StopTimeout or 10), then SIGKILL. */
int ctr_stop(struct store *st, struct ctr *c, int timeout, berr *err);
/* Start detached under a monitor (no-op if running). */
int ctr_start(struct store *st, struct ctr *c, berr *err);
/* A start by the user (start/restart verbs): clears the manual-stop flag and RestartCount. */
int ctr_start_manual(struct store *st, struct ctr *c, berr *err);
