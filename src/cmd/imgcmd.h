/* imgcmd.h: helpers shared by the image verbs (opening the store, prompts, Docker's errors). */
#pragma once
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "store/store.h"

/* Open the store; on failure print the error and return its exit status (else 0). */
static inline int imgcmd_open(struct berth_ctx *ctx, struct store **st)
{
	berr err = { 0 };
	if (store_open(st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	return 0;
}

/* Docker's "Are you sure you want to continue? [y/N] " prompt; true for y/Y/yes. */
static inline bool imgcmd_confirm(const char *warning)
{
	fprintf(stdout, "%s\nAre you sure you want to continue? [y/N] ", warning);
	fflush(stdout);
	char line[64];
	if (!fgets(line, sizeof line, stdin))
		return false;
	return !strcmp(line, "y\n") || !strcmp(line, "Y\n") || !strcmp(line, "yes\n") || !strcmp(line, "y") ;
}
