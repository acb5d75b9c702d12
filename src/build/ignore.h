/* ignore.h: .dockerignore files with Docker's exact matching rules.
 *
 * Reading follows moby/patternmatcher/ignorefile.ReadAll (UTF-8 BOM stripped, lines starting
 * with '#' skipped, whitespace trimmed, filepath.Clean, a leading '/' dropped, '!' exceptions);
 * matching follows moby/patternmatcher (each pattern compiled to the same regular expression
 * Docker builds, with its exact/prefix/suffix fast paths and their quirks) and the walk rule of
 * BuildKit's fsutil (MatchesUsingParentResults: a path is excluded when the last pattern that
 * matches it or one of its parents is not an exception; an excluded directory is still walked
 * when an exception may match below it). Go's filepath.Match and filepath.Clean are here too,
 * because COPY source globs use them. See docs/build-context.md. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "util/err.h"
#include "util/strbuf.h"

enum ignore_match_type { IGN_EXACT = 1, IGN_PREFIX, IGN_SUFFIX, IGN_REGEXP };

struct ign_prog;

struct ignore_pattern {
	char *pattern;        /* cleaned, without the leading '!' */
	bool exclusion;       /* a "!" exception */
	enum ignore_match_type type;
	char *regex;          /* the Go regexp Docker compiles (IGN_REGEXP only), for tests */
	struct ign_prog *prog;
};

struct ignore {
	struct ignore_pattern *p;
	size_t n;
	bool exclusions;                 /* some pattern is an exception */
	bool only_prefix_exceptions;     /* no exception has a wildcard (BuildKit's pruning rule) */
};

/* ignorefile.ReadAll: the patterns of an ignore file's text, in order ("!" kept as prefix). */
int ignore_read(const char *text, size_t len, struct strvec *out, berr *err);
/* patternmatcher.New: compile patterns (each is trimmed and cleaned again). Errors: a lone
 * "!" ("illegal exclusion pattern: \"!\""), a pattern filepath.Match or Go's regexp rejects
 * ("syntax error in pattern"). */
int ignore_new(const char *const *patterns, size_t n, struct ignore **out, berr *err);
/* Both: parse an ignore file's text. */
int ignore_parse(const char *text, size_t len, struct ignore **out, berr *err);
void ignore_free(struct ignore *ig);
static inline void cleanup_ignorep(struct ignore **p) { ignore_free(*p); }
#define _cleanup_ignore_ __attribute__((cleanup(cleanup_ignorep)))

/* patternmatcher's three entry points (path: slash-separated, relative to the context root). */
bool ignore_matches_exact(const struct ignore *ig, const char *path);
bool ignore_matches_or_parent(const struct ignore *ig, const char *path);
/* MatchesUsingParentResults: parent_info is the info_out of the parent directory (ig->n bools)
 * or NULL at the top level (then parents are matched as MatchesOrParentMatches does);
 * info_out (ig->n bools, may be NULL) receives this path's per-pattern results. */
bool ignore_matches_parent(const struct ignore *ig, const char *path, const bool *parent_info, bool *info_out);
/* The walk's pruning rule for an EXCLUDED directory: true if it must still be walked because
 * an exception may include something below it. */
bool ignore_walk_excluded_dir(const struct ignore *ig, const char *dirpath);
/* Deprecated patternmatcher.Matches (one parent level only): only for ported test vectors. */
bool ignore_matches_legacy(const struct ignore *ig, const char *path);

/* Go's path/filepath.Match (Unix): 0 and *matched, or -1 with errno EINVAL for a bad pattern.
 * As current Go, a pattern is checked to its end even after a mismatch ("x[" fails against
 * "a"); gopath_match_go119 is the older behaviour (Go 1.19 and before stopped at the mismatch),
 * for comparing with vectors made by an older Go. */
int gopath_match(const char *pattern, const char *name, bool *matched);
int gopath_match_go119(const char *pattern, const char *name, bool *matched);
/* Go's filepath.Clean (malloc'd). */
char *gopath_clean(const char *path);
/* Go's filepath.Dir (malloc'd). */
char *gopath_dir(const char *path);
