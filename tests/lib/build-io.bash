# build-io.bash: helpers for 061-build-io.bats (secrets, -o, --cache-to/--cache-from, ADD URL).
load ../lib/build

# http_serve DIR: serve DIR on 127.0.0.1 (python3 http.server) on a free port; sets HTTP_PORT
# and HTTP_PID. Loopback only: no_proxy (helpers.bash) keeps libcurl off the dummy proxy.
http_serve() {
	local dir=$1
	HTTP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
	python3 -m http.server "$HTTP_PORT" --bind 127.0.0.1 --directory "$dir" >"$BATS_FILE_TMPDIR/http.log" 2>&1 &
	HTTP_PID=$!
	local i
	for i in $(seq 50); do
		if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$HTTP_PORT),0.2)" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "http server did not start" >&2
	return 1
}

http_stop() {
	[ -n "${HTTP_PID:-}" ] && kill "$HTTP_PID" 2>/dev/null
	wait "$HTTP_PID" 2>/dev/null || true
}

# layer_files IMAGE: every path in every layer of IMAGE (saved with berth save), one per line.
layer_files() {
	local d="$BATS_TEST_TMPDIR/saved-$RANDOM"
	mkdir -p "$d"
	"$BERTH" save "$1" -o "$d/img.tar"
	tar -xf "$d/img.tar" -C "$d"
	local l
	for l in $(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))[0]["Layers"]))' "$d/manifest.json"); do
		tar -tf "$d/$l"
	done
}
