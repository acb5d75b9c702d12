/* ref.h: Docker image references (distribution/reference grammar) and their normalisation:
 * "busybox" -> docker.io/library/busybox:latest; printed the familiar way ("busybox:latest"). */
#pragma once
#include <stdbool.h>
#include "util/err.h"

struct ref {
	char *domain;   /* "docker.io", "localhost:5000" */
	char *path;     /* "library/busybox" */
	char *tag;      /* NULL if none */
	char *digest;   /* "sha256:..." or NULL */
};

/* Parse s as Docker's ParseNormalizedNamed does (no default tag added). Errors use Docker's
 * wording ("invalid reference format", "... repository name must be lowercase"). */
int ref_parse(const char *s, struct ref *r, berr *err);
/* Parse and add ":latest" when s has neither tag nor digest (ParseNormalizedNamed + TagNameOnly). */
int ref_parse_tagged(const char *s, struct ref *r, berr *err);
void ref_free(struct ref *r);

/* "docker.io/library/busybox" */
char *ref_name(const struct ref *r);
/* "docker.io/library/busybox:latest", "...@sha256:..." (both when both are set) */
char *ref_string(const struct ref *r);
/* "busybox" / "localhost:5000/a/b" */
char *ref_familiar_name(const struct ref *r);
/* "busybox:latest" */
char *ref_familiar_string(const struct ref *r);
/* Familiar form of a full normalised string; returns a malloc'd copy of s if it fails to parse. */
char *ref_familiarize(const char *full);
/* True if s is a 64-hex string (an image ID, not a name). */
bool ref_is_full_id(const char *s);
