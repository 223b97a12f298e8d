#!/usr/bin/env bash
# Starts a real IMAP server (Dovecot, from Debian's packages) for the IMAP
# tests: implicit TLS on a free loopback port, a throwaway CA, any user name
# with the password below, each user's mail in DIR/home/USER/Maildir.
# Usage: .ci/imap-server.sh [DIR]   (prints KEY=VALUE lines to export)
# Dovecot reads the Maildirs as `nobody`, so every folder above DIR must be
# traversable by others: without DIR the server gets a folder of its own
# under /tmp, which is, wherever the clone is (a home folder with mode 0700,
# a `mktemp -d` folder). IMAP_TEST_DIR names it, for removal.
set -euo pipefail
dir=${1:-}
if [ -z "$dir" ]; then
  dir=$(mktemp -d /tmp/spend-imap.XXXXXX)
else
  rm -rf "$dir"
fi
mkdir -p "$dir/home" "$dir/run"
chmod 0755 "$dir"
chmod 0777 "$dir/home"
cd "$dir"

# A CA and a server certificate it signs (rustls refuses a CA as end entity).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=spend test CA" \
  -keyout ca.key -out ca.pem -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr >/dev/null 2>&1
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
  -extfile server.ext -out server.pem >/dev/null 2>&1

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password=app-password-for-tests
cat >dovecot.conf <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $dir/run
state_dir = $dir/run
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
ssl = required
ssl_cert = <$dir/server.pem
ssl_key = <$dir/server.key
auth_mechanisms = plain login
disable_plaintext_auth = yes
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = static
  args = password=$password
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dir/home/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $port
    ssl = yes
  }
}
CONF
chmod -R go+rX "$dir"
/usr/sbin/dovecot -c "$dir/dovecot.conf"
for _ in $(seq 1 50); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then
    echo "IMAP_TEST_HOST=127.0.0.1"
    echo "IMAP_TEST_PORT=$port"
    echo "IMAP_TEST_PASSWORD=$password"
    echo "IMAP_TEST_CA=$dir/ca.pem"
    echo "IMAP_TEST_HOME=$dir/home"
    echo "IMAP_TEST_DIR=$dir"
    echo "IMAP_TEST_PID=$(cat "$dir/run/master.pid")"
    exit 0
  fi
  sleep 0.2
done
cat "$dir/dovecot.log" >&2
exit 1
