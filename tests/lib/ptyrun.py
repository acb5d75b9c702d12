#!/usr/bin/env python3
"""ptyrun.py OUT CMD...: run CMD with stdin/stdout/stderr on a new pseudo-terminal (80x30),
write everything it printed to OUT (raw bytes, ANSI codes included), exit with its status."""
import fcntl, os, pty, struct, sys, termios

out, cmd = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 80, 0, 0))
    os.execvp(cmd[0], cmd)
data = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
_, st = os.waitpid(pid, 0)
open(out, "wb").write(data)
sys.exit(os.waitstatus_to_exitcode(st))
