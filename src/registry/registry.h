/* registry.h: the OCI distribution client's public API (pull, push, login/logout) and the
 * hook `run` and the builder's FROM call to pull a missing image (see docs/registry.md). */
#pragma once
#include <stdbool.h>
#include <stdio.h>
#include "store/store.h"
#include "util/err.h"

struct reg_opts {
	const char *platform;  /* "os/arch[/variant]"; NULL: this host (linux/amd64 here) */
	int tls_verify;        /* -1: Docker's default (localhost/127.0.0.0/8 may be insecure), 0, 1 */
	const char *cert_dir;  /* NULL: /etc/docker/certs.d/<host>/ (then /etc/containers/certs.d) */
	const char *authfile;  /* NULL: $XDG_CONFIG_HOME/berth/auth.json, then ~/.docker/config.json */
	bool quiet;            /* -q: only the final reference line */
	bool all_tags;         /* pull/push -a */
	FILE *out;             /* progress and status lines; NULL: stdout */
	const char *user, *pass; /* credentials to use instead of the stored ones (login) */
};
#define REG_OPTS_INIT { NULL, -1, NULL, NULL, false, false, NULL, NULL, NULL }

/* Errors carry Docker's wording (without "Error response from daemon: "); verbs print that
 * prefix. err->status is 1. */

/* `berth pull REF`: prints Docker's lines. id_out (may be NULL) gets the image ID (malloc'd). */
int registry_pull(struct store *st, const char *ref, const struct reg_opts *o, char **id_out, berr *err);
/* `berth push REF` (a name[:tag], name@digest, or with o->all_tags every tag of the name). */
int registry_push(struct store *st, const char *ref, const struct reg_opts *o, berr *err);

/* Verify credentials against SERVER (NULL: docker.io) and store them (auth.json, mode 0600). */
int registry_login(const char *server, const char *user, const char *pass, const struct reg_opts *o, berr *err);
/* Remove stored credentials; *was is set false when none were stored. */
int registry_logout(const char *server, const struct reg_opts *o, bool *was, berr *err);
/* The credentials that would be used for a registry host (from auth.json or Docker's
 * config.json); 0 and user and pass malloc'd, or 1 when there are none. */
int registry_get_creds(const char *host, const char *authfile, char **user, char **pass);

/* For `berth run` and the builder's FROM: make sure `ref` is in the store. When it is not and
 * it names an image (not an ID), print Docker's "Unable to find image 'REF' locally" to
 * `o->out` (stderr when NULL), pull it (progress on the same stream) and return its ID.
 * o may be NULL (defaults). id_out (malloc'd "sha256:...") may be NULL. */
int registry_ensure_image(struct store *st, const char *ref, const struct reg_opts *o, char **id_out, berr *err);
