#!/bin/sh
# install-deps.sh: install the Debian 12 packages berth's build and tests need, when missing.
set -e
PKGS="build-essential pkg-config clang libclang-rt-14-dev
libarchive-dev libjansson-dev libsqlite3-dev libssl-dev zlib1g-dev libzstd-dev
libcurl4-openssl-dev libfyaml-dev libseccomp-dev libcap-dev libmnl-dev libnftables-dev
libcmocka-dev bats busybox-static iproute2 nftables skopeo umoci e2fsprogs procps psmisc
curl jq python3 file tar gzip zstd docker-registry apache2-utils openssl musl-tools"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: need root to install packages" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
