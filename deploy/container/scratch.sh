#!/usr/bin/env bash
# Builds a container image FROM scratch around an ogmill binary built on this machine, for
# places that cannot pull the Rust or distroless images (air-gapped builders, CI without a
# registry). The image holds the stripped binary, the shared libraries `ldd` lists, the CA
# bundle (image fetching over https needs the roots) and a passwd entry for the non-root
# user; nothing else.
#
#   deploy/container/scratch.sh [BINARY] [TAG]
#     BINARY  default target/release/ogmill (cargo build --release)
#     TAG     default localhost/ogmill:scratch
#
# Uses podman (docker works too: OGMILL_CONTAINER_TOOL=docker). Prints the image's size.
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=${1:-target/release/ogmill}
tag=${2:-localhost/ogmill:scratch}
tool=${OGMILL_CONTAINER_TOOL:-podman}
[ -x "$bin" ] || { echo "no binary at $bin: run cargo build --release first" >&2; exit 1; }
ca=/etc/ssl/certs/ca-certificates.crt
[ -f "$ca" ] || { echo "no CA bundle at $ca (apt-get install ca-certificates)" >&2; exit 1; }

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/root/usr/local/bin" "$ctx/root/etc/ssl/certs" "$ctx/root/tmp"
strip -o "$ctx/root/usr/local/bin/ogmill" "$bin"
cp "$ca" "$ctx/root/etc/ssl/certs/"
# The dynamic loader and each library at the path the binary asks for.
ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r lib; do
  mkdir -p "$ctx/root$(dirname "$lib")"
  cp -L "$lib" "$ctx/root$lib"
done
echo 'ogmill:x:65532:65532:ogmill:/:/sbin/nologin' >"$ctx/root/etc/passwd"
echo 'ogmill:x:65532:' >"$ctx/root/etc/group"
chmod 1777 "$ctx/root/tmp"

cat >"$ctx/Containerfile" <<'CONTAINERFILE'
FROM scratch
COPY root/ /
ENV OGMILL_BIND=0.0.0.0:3000 SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
EXPOSE 3000
USER 65532:65532
HEALTHCHECK --interval=10s --timeout=4s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/ogmill", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/ogmill"]
CMD ["serve"]
CONTAINERFILE

# Docker's format keeps HEALTHCHECK (the OCI format has no field for it).
format=()
[ "$tool" = podman ] && format=(--format docker)
"$tool" build "${format[@]}" -q -t "$tag" "$ctx" >/dev/null
size=$("$tool" image inspect "$tag" --format '{{.Size}}')
echo "built $tag: $((size / 1000000)) MB ($size bytes)"
