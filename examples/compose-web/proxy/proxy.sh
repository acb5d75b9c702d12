#!/bin/sh
# One HTTP/1.0 exchange: read the request line, fetch the same path from web:8080, answer.
read -r method path proto
path=$(printf '%s' "$path" | tr -d '\r')
# read the headers up to the empty line (closing with unread input would reset the connection)
while read -r line; do
	[ -z "$(printf '%s' "$line" | tr -d '\r')" ] && break
done
case "$method" in
GET) ;;
*) printf 'HTTP/1.0 405 Method Not Allowed\r\n\r\n'; exit 0 ;;
esac
if body=$(wget -q -O- "http://web:8080$path" 2>/dev/null); then
	printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nVia: 1.0 compose-web-proxy\r\n\r\n%s\n' "$body"
else
	printf 'HTTP/1.0 502 Bad Gateway\r\nContent-Type: text/plain\r\n\r\nproxy: web did not answer\n'
fi
