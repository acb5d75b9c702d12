/* mnt.h: fd-based mount helpers shared by mounts.c and dev.c (runtime-internal). */
#pragma once
#include <stdbool.h>
#include "util/err.h"

/* fsopen(type) + fsconfig(source, "key=value" / "flag" opts) + fsmount(attrs): a detached mount fd. */
int mnt_fs(const char *type, const char *source, const char *const *opts, unsigned attrs, berr *err);
/* move_mount a detached mount onto an O_PATH target fd. */
int mnt_attach(int mfd, int targetfd, const char *what, berr *err);
/* Resolve path inside the root (creating it), O_PATH|O_NOFOLLOW, checked to be a dir/file. */
int mnt_target(int rootfd, const char *path, bool want_file, berr *err);
/* As mnt_target; follow: a final symlink is followed (inside the root only). */
int mnt_target_ex(int rootfd, const char *path, bool want_file, bool follow, berr *err);
