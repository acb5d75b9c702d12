#!/usr/bin/env python3
"""ttyview.py FILE STEP: check the structure of berth build's tty view recorded from a pty.
FILE holds the raw bytes; STEP is a substring of a RUN step's title that ran for a while.
Prints what it found; exits 1 with the reason when the view is not as expected."""
import re, sys

raw = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
step = sys.argv[2]
def fail(msg):
    print("FAIL:", msg)
    print(repr(raw[-3000:]))
    sys.exit(1)

# frames: each redraw moves the cursor up over the previous view
ups = re.findall(r"\x1b\[(\d+)A", raw)
if len(ups) < 3:
    fail("fewer than 3 in-place redraws (cursor-up codes): %d" % len(ups))
frames = re.split(r"\r\x1b\[\d+A", raw)
headers = [re.search(r"\[\+\] Building (\d+\.\d)s \((\d+)/(\d+)\)", f) for f in frames]
headers = [h for h in headers if h]
if len(headers) < 3:
    fail("fewer than 3 frames with a [+] Building header")
# the header's clock advances
if float(headers[-1].group(1)) <= float(headers[0].group(1)):
    fail("the header's timer did not advance")
# the running step shows a timer that advances, while it runs (no colour = running)
times = []
for f in frames:
    for line in f.split("\n"):
        plain = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", line)
        if step in plain and " => " in plain and not line.startswith("\x1b[34m"):
            m = re.search(r"(\d+\.\d)s\s*$", plain.rstrip("\r"))
            if m:
                times.append(float(m.group(1)))
if len(set(times)) < 2:
    fail("the running step's timer did not change: %r" % times)
# its output shows under it while it runs
if not re.search(r" => => # [^\n]*tick", raw):
    fail("no output line of the running step under it")
# the final view: FINISHED, every vertex on one line, no output lines
final = raw[raw.rfind("FINISHED"):]
if "FINISHED" not in raw:
    fail("no final FINISHED view")
if " => => # " in final:
    fail("output lines left in the final view")
if not re.search(r" => \[[^\n]*" + re.escape(step), final):
    fail("the step is missing from the final view")
if "Time per stage:" not in final:
    fail("no time-per-stage summary")
print("frames=%d timer-values=%d final-ok" % (len(headers), len(set(times))))
