/* sandbox_int.h: pieces of the sandbox child shared by sandbox.c (run) and exec.c. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include "util/err.h"

void __attribute__((noreturn, format(printf, 3, 4))) child_fail(int sync, int status, const char *fmt, ...);
void __attribute__((noreturn)) child_fail_err(int sync, berr *e);
int send_fd(int sock, int fd);
int sync_read(int sock, int *pty, berr *err);
int setup_stdio(int in, int out, int errfd);
int open_container_pty(int *slave);
char **env_array(json_t *env, const char *home, bool tty);
void __attribute__((noreturn)) exec_in_container(int sync, char **argv, char **envp);
/* user, cwd, stdio, capabilities, seccomp, PDEATHSIG, exec. proc: {Argv, Env, User, WorkingDir}. */
void __attribute__((noreturn)) finish_and_exec(int sync, json_t *cfg, json_t *proc, int parentfd,
						int stdio[3], int pty_slave, bool exec_mode);
void set_cmdline(const char *title);
/* Default dispositions for every signal, empty mask. */
void reset_signals(void);
