/* progress.h: the builder's progress display (see docs/build.md "Output").
 * Vertices (#N) start, log lines, end CACHED / DONE / ERROR. Modes:
 *   plain: BuildKit's plain format, one line per event ("#N [stage 2/3] RUN ...",
 *          "#N 0.123 output", "#N DONE 0.4s"), for logs and CI;
 *   tty:   BuildKit's terminal view: a "[+] Building 3.2s (5/8)" header, one line per vertex
 *          with its time (a running timer for running ones, their last output lines below),
 *          redrawn in place with ANSI codes every 100 ms;
 *   quiet: nothing (raw text, the error box, still goes out).
 * Both end with a summary of the time per stage (not quiet).
 * A builder process that runs a stage in a child process hands the child a pipe
 * (bprog_to_pipe): the child's calls become event lines that the parent feeds back with
 * bprog_apply, so output from parallel stages is serialised, numbered and redrawn by one
 * process. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

enum bprog_mode { BPROG_PLAIN, BPROG_TTY, BPROG_QUIET };

struct bprog;

struct bprog *bprog_new(enum bprog_mode mode, int fd);
void bprog_free(struct bprog *p);
enum bprog_mode bprog_mode(const struct bprog *p);
/* Send every later call to the pipe fd instead (in a child process). */
void bprog_to_pipe(struct bprog *p, int fd);
/* Apply one event line read from such a pipe (without its '\n'). */
void bprog_apply(struct bprog *p, const char *line);

/* stage: the stage's label for the summary ("" = not a stage's step). */
void bprog_start(struct bprog *p, int vid, const char *title, const char *stage);
void bprog_log(struct bprog *p, int vid, const char *text);    /* "#N 0.123 text" (output) */
void bprog_info(struct bprog *p, int vid, const char *text);   /* "#N text" */
void bprog_cached(struct bprog *p, int vid);
void bprog_done(struct bprog *p, int vid);
void bprog_error(struct bprog *p, int vid, const char *msg);
/* Text printed as is, in every mode (the error box); tty: after the view. */
void bprog_raw(struct bprog *p, const char *text);
/* tty: redraw if 100 ms passed. */
void bprog_tick(struct bprog *p);
/* Final view (tty) and, after a successful build, the time per stage (not quiet). */
void bprog_finish(struct bprog *p, bool ok);
