#!/bin/bash
# The power-cut check of docs/SECURITY.md ("Durability and private files"):
# a server's data dir on an ext4 loop device; after 40 registrations
# answered 201/202, the image file (what the disk received, without what
# only the page cache held) is copied while the server runs, as a power cut
# would leave the disk. The copy is mounted (journal replay) and read: how
# many registrations it holds, the sizes of the first-start files, and
# whether `registrar serve` starts on it.
#
# Needs root (mount, losetup), sqlite3, jq and curl. Not run by .ci/run.
#   go build -o /tmp/registrar ./cmd/registrar
#   .ci/powercut.sh full /tmp/registrar
#   .ci/powercut.sh normal /tmp/registrar --sqlite-synchronous normal
set -u
label=$1; bin=$2; shift 2; extra="$*"
N=40; PORT=$((18600 + RANDOM % 300))
W=$(mktemp -d /tmp/powercut-$label.XXXX); mkdir -p $W/mnt $W/copy
truncate -s 256M $W/img && mkfs.ext4 -q $W/img
LOOP=$(losetup -f --show $W/img); mount $LOOP $W/mnt
$bin serve --data-dir $W/mnt/data --listen 127.0.0.1:$PORT --rate-limit -1 $extra > $W/serve.out 2>&1 &
SPID=$!
for i in $(seq 100); do [ -s $W/mnt/data/cli.json ] && curl -s -o /dev/null http://127.0.0.1:$PORT/healthz && break; sleep 0.1; done
ACC=$(jq -r .account_id $W/mnt/data/cli.json); TOK=$(jq -r .api_token $W/mnt/data/cli.json)
ok=0
for i in $(seq $N); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/client/v4/accounts/$ACC/registrar/registrations" \
    -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' -H 'Prefer: respond-async' -d "{\"domain_name\": \"crash$i-$label.com\"}")
  case $code in 201|202) ok=$((ok+1));; esac
done
cp --sparse=always $W/img $W/img.crash   # the power cut
kill -9 $SPID; wait $SPID 2>/dev/null
umount $W/mnt; losetup -d $LOOP
LOOP2=$(losetup -f --show $W/img.crash); mount $LOOP2 $W/copy
kept=$(sqlite3 "file:$W/copy/data/registrar.db" "select count(*) from workflows where domain like 'crash%'" 2>&1)
sizes=$(cd $W/copy/data && stat -c '%n=%s' cli.json sandbox-password tls/*.pem 2>&1 | tr '\n' ' ')
timeout 20 $bin serve --data-dir $W/copy/data --listen 127.0.0.1:$((PORT+400)) $extra > $W/restart.out 2>&1 &
RPID=$!
for i in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:$((PORT+400))/healthz && break; kill -0 $RPID 2>/dev/null || break; sleep 0.1; done
if curl -s -o /dev/null http://127.0.0.1:$((PORT+400))/healthz; then restart=starts; kill $RPID; else restart="fails: $(grep -v '^$' $W/restart.out | tail -1)"; fi
wait $RPID 2>/dev/null
umount $W/copy; losetup -d $LOOP2
echo "$label: acknowledged $ok of $N; after the power cut: $kept registrations; files: $sizes; restart: $restart"
rm -rf $W
