/* exec.h: the builder: execute a Dockerfile's plan (dockerfile/plan.h) for the stages the
 * target needs, with a content-addressed step cache, and commit the result as an image.
 * See docs/build.md. */
#pragma once
#include "build/options.h"
#include "store/store.h"
#include "util/err.h"

struct build_request {
	const struct build_opts *o;
	const char *const *build_args;   /* resolved "K=V" */
	const char *dockerfile;          /* the Dockerfile text */
	size_t dockerfile_len;
	const char *dockerfile_name;     /* for messages */
	const char *context_dir;         /* NULL: empty context */
	const char *root, *runroot;      /* the store */
};

/* Run the build. Progress (BuildKit's plain format) goes to stderr unless quiet; with -q the
 * image ID is printed on stdout. Returns the exit status (0, or 1 on a build error, as
 * docker build). */
int build_run(const struct build_request *r);
