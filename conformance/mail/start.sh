#!/usr/bin/env bash
# Starts a private mail system under DIR for the mail loop test: a Dovecot (IMAP + LMTP) and
# a Postfix (SMTP in, LMTP out to that Dovecot), on free loopback ports, with their own
# configuration, queue, state and logs under DIR. The system-wide services the Debian
# packages install are neither used nor touched. Stop it with stop.sh DIR.
#
# Users (password "secret"): events@invites.test (calinvite's mailbox), alice@attendees.test
# and bob@attendees.test. Mail is stored as maildirs under DIR/mail, owned by the `mail` user
# when run as root (Dovecot refuses to deliver as root), or by the calling user otherwise.
#
# Dovecot offers IMAP with STARTTLS on IMAP_PORT and implicit TLS on IMAPS_PORT, with a
# certificate for 127.0.0.1 signed by a throwaway CA, DIR/tls/ca.pem (for imap.ca_file).
#
# Prints, one a line: SMTP_PORT=n, IMAP_PORT=n, IMAPS_PORT=n, LMTP_PORT=n, CA_FILE=path,
# then READY.
set -euo pipefail

dir="${1:?usage: start.sh DIR}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

for tool in dovecot postfix postconf; do
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
    echo "start.sh: $tool is not installed: run \`bash conformance/setup.sh\`" >&2
    exit 2
  fi
done
export PATH="$PATH:/usr/sbin:/sbin"
if [ "$(id -u)" != 0 ]; then
  # Postfix's master must start as root (it drops to mail_owner itself).
  echo "start.sh: Postfix needs root to start a private instance; run as root (CI) or in a container" >&2
  exit 2
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
smtp_port="$(free_port)"
imap_port="$(free_port)"
lmtp_port="$(free_port)"
imaps_port="$(free_port)"

# The temp folder is usually 0700; the mail and postfix users must reach their parts.
chmod 0755 "$dir"
mail_user=mail
mail_uid="$(id -u "$mail_user")"
mail_gid="$(id -g "$mail_user")"

# --- TLS: a CA and a certificate for 127.0.0.1 -------------------------------------------
tls="$dir/tls"
mkdir -p "$tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=calinvite test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
  -keyout "$tls/ca.key" -out "$tls/ca.pem" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$tls/server.key" -out "$tls/server.csr" >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
  > "$tls/server.ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
  -days 2 -extfile "$tls/server.ext" -out "$tls/server.pem" >/dev/null 2>&1

# --- Dovecot -----------------------------------------------------------------------------
dc="$dir/dovecot"
mkdir -p "$dc/run" "$dc/state" "$dir/mail"
chown "$mail_uid:$mail_gid" "$dir/mail"
: > "$dc/users"
for user in events@invites.test alice@attendees.test bob@attendees.test; do
  echo "$user:{PLAIN}secret:$mail_uid:$mail_gid::$dir/mail/$user::" >> "$dc/users"
done
chgrp dovecot "$dc/users"
chmod 0640 "$dc/users"
cat > "$dc/dovecot.conf" <<EOF
# Private instance for calinvite's mail loop test.
instance_name = calinvite-test-$imap_port
base_dir = $dc/run
state_dir = $dc/state
log_path = $dc/dovecot.log
info_log_path = $dc/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <$tls/server.pem
ssl_key = <$tls/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = $mail_uid
last_valid_uid = 0
first_valid_gid = $mail_gid
mail_location = maildir:~/Maildir
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dc/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $dc/users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps_port
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp_port
  }
}
service auth {
  unix_listener auth-userdb {
    mode = 0666
  }
}
protocol imap {
  mail_max_userip_connections = 50
}
EOF
# The daemons must not hold on to our stdout: a caller reads it to its end.
dovecot -c "$dc/dovecot.conf" </dev/null >"$dc/start.log" 2>&1 || {
  echo "start.sh: dovecot did not start:" >&2
  cat "$dc/start.log" "$dc/dovecot.log" >&2 2>/dev/null
  exit 1
}

# --- Postfix -----------------------------------------------------------------------------
pf="$dir/postfix"
mkdir -p "$pf/spool" "$pf/data"
# Postfix creates the queue folders itself (owned by postfix) at the first start.
chown postfix "$pf/data"
cat > "$pf/main.cf" <<EOF
# Private instance for calinvite's mail loop test: no DNS, loopback only, everything for
# the two test domains goes to the private Dovecot by LMTP.
compatibility_level = 3.6
queue_directory = $pf/spool
data_directory = $pf/data
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
daemon_directory = /usr/lib/postfix/sbin
command_directory = /usr/sbin
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.invites.test
mydomain = invites.test
myorigin = invites.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
disable_dns_lookups = yes
smtpd_peername_lookup = no
alias_maps =
alias_database =
local_recipient_maps =
relayhost =
relay_domains =
virtual_mailbox_domains = invites.test attendees.test
virtual_mailbox_maps = inline:{ events@invites.test=ok, alice@attendees.test=ok, bob@attendees.test=ok }
virtual_transport = lmtp:inet:127.0.0.1:$lmtp_port
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
maillog_file_prefixes = $dir
maillog_file = $pf/maillog
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 5s
biff = no
EOF
cat > "$pf/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$smtp_port inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
postfix -c "$pf" start </dev/null >"$pf/start.log" 2>&1 || {
  echo "start.sh: postfix did not start:" >&2
  cat "$pf/start.log" "$pf/maillog" >&2 2>/dev/null
  exit 1
}

wait_port() {
  for _ in $(seq 1 100); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),timeout=1)" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "start.sh: nothing listens on 127.0.0.1:$1 ($2); logs under $dir" >&2
  cat "$dc/dovecot.log" "$pf/maillog" 2>/dev/null >&2 || true
  exit 1
}
wait_port "$imap_port" "dovecot imap"
wait_port "$imaps_port" "dovecot imaps"
wait_port "$lmtp_port" "dovecot lmtp"
wait_port "$smtp_port" "postfix smtpd"

echo "SMTP_PORT=$smtp_port"
echo "IMAP_PORT=$imap_port"
echo "IMAPS_PORT=$imaps_port"
echo "CA_FILE=$tls/ca.pem"
echo "LMTP_PORT=$lmtp_port"
echo "READY"
