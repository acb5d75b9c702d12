/* regopts.h: the registry flags pull, push and login share (--tls-verify, --cert-dir,
 * --authfile), parsed into struct reg_opts. */
#pragma once
#include <string.h>
#include "registry/registry.h"

#define REG_COMMON_OPTS(o, tv)                                                                                       \
	{ "tls-verify", 0, OPT_BOOL, &(tv), "Require HTTPS and verify certificates (default: as Docker, localhost may be insecure)", NULL }, \
	{ "cert-dir", 0, OPT_STR, &(o).cert_dir, "Use certificates (*.crt, *.cert, *.key) at the path", "string" },              \
	{ "authfile", 0, OPT_STR, &(o).authfile, "Path of the authentication file", "string" }

/* --tls-verify given? Its value is in tv; otherwise Docker's default (-1). */
static inline void regopts_tls(struct reg_opts *o, bool tv, int argc, char **argv)
{
	o->tls_verify = -1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strncmp(argv[i], "--tls-verify", 12) && (argv[i][12] == 0 || argv[i][12] == '='))
			o->tls_verify = tv ? 1 : 0;
	}
}
