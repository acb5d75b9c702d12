#!/bin/sh
# The database stand-in: answer every connection on port 5432 with "$ROW" and count queries
# in the named volume.
mkdir -p /var/lib/db
while true; do
	n=$(cat /var/lib/db/queries 2>/dev/null || echo 0)
	echo "$ROW" | nc -l -p 5432 >/dev/null && echo $((n + 1)) > /var/lib/db/queries
done
