#!/bin/sh
# Installs the Debian 12 packages concur needs to build and test, and nothing that is already
# there: a no-op when all is installed. Runs as root, or through sudo when there is one.
#
#   scripts/install-deps.sh          # build and test dependencies
#   scripts/install-deps.sh --bench  # also what `make bench` needs for the peer benchmarks
set -eu

packages="g++ make cmake pkg-config libgtest-dev libgmock-dev libbenchmark-dev python3
    libcereal-dev libssl-dev libcurl4-openssl-dev nlohmann-json3-dev libcli11-dev
    libjpeg62-turbo-dev libpng-dev libwebp-dev mate-backgrounds
    nginx libnginx-mod-http-echo famfamfam-flag-png"
if [ "${1:-}" = "--bench" ]; then
    # The C++ and Python peers of ../shared/peers (see its README).
    packages="$packages libboost-all-dev libtbb-dev libuv1-dev gcc libc6-dev
        python3-uvloop python3-trio python3-gevent python3-pil python3-aiohttp python3-tqdm
        iso-flags-png-320x240 libvips-tools libjpeg-turbo-progs"
fi

# The S3-compatible server of the Thumbnail Maker's tests: npm's s3rver, in its own prefix. Debian's
# npm only when there is no npm at all (a node installed from elsewhere keeps its own npm).
s3rver_version="3.7.1"
s3rver_prefix="/usr/local/lib/concur-s3rver"
command -v npm >/dev/null 2>&1 || packages="$packages npm"

missing=""
for p in $packages; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    case "$status" in
        ii*) ;;
        *) missing="$missing $p" ;;
    esac
done
need_s3rver=0
[ -x "$s3rver_prefix/node_modules/.bin/s3rver" ] || need_s3rver=1
[ -z "$missing" ] && [ "$need_s3rver" = 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "install-deps: missing:$missing$([ "$need_s3rver" = 1 ] && echo " s3rver");" \
        "run this script as root to install them" >&2
    exit 1
fi
if [ -n "$missing" ]; then
    echo "install-deps: installing:$missing"
    # Installing nginx may start the system's own service; stop it again if it was not running.
    nginx_was_running=0
    [ -s /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null && nginx_was_running=1
    $sudo apt-get update -q
    # shellcheck disable=SC2086  # a word list
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
    if [ "$nginx_was_running" = 0 ] && [ -s /run/nginx.pid ]; then
        $sudo /usr/sbin/nginx -s quit 2>/dev/null || true
    fi
fi
if [ "$need_s3rver" = 1 ]; then
    echo "install-deps: installing s3rver@$s3rver_version in $s3rver_prefix"
    # Only the tests need it: without the npm registry `make run` still works, and the S3
    # tests fail saying that s3rver is missing.
    if ! $sudo npm install --prefix "$s3rver_prefix" --no-audit --no-fund "s3rver@$s3rver_version"; then
        echo "install-deps: could not install s3rver from npm: the Thumbnail Maker's S3 tests" \
            "need it" >&2
    fi
fi
