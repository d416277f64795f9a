#!/bin/bash
# The mail store: installs its passdb (one line per mailbox of MAIL_DOMAIN,
# staff0001 to staffNNNN, each with the hash of its own password, deployed as
# /run/secrets/mail_passdb; no password is in this container), then runs
# Dovecot in the foreground.
set -euo pipefail
domain=${MAIL_DOMAIN:-chu.test}
umask 027
install -m 0640 -g dovecot /run/secrets/mail_passdb /etc/dovecot/users
count=$(wc -l < /etc/dovecot/users)
if [ "$count" -ne "${MAILBOXES:-$count}" ]; then
  echo "mailstore: the passdb holds $count mailboxes, MAILBOXES says $MAILBOXES: deploy again" >&2
  exit 1
fi
echo "mailstore: $count mailboxes of $domain, each with its own password"

# TLS with this container's certificate (TLS_SERVER: its name in the stack's
# TLS material, e.g. mailstore); Dovecot's master reads the key as root.
server=${TLS_SERVER:?TLS_SERVER names the certificate of this store: mailstore or mail_vault}
for part in cert key; do
  [ -s "/run/secrets/${server}_tls_$part" ] || { echo "mailstore: no /run/secrets/${server}_tls_$part: deploy again" >&2; exit 1; }
done
cat > /etc/dovecot/tls.conf <<CONF
ssl = required
ssl_cert = </run/secrets/${server}_tls_cert
ssl_key = </run/secrets/${server}_tls_key
CONF

# Each listener on the network it serves only: the names the deployment gave
# this container there (all addresses when unset).
listeners() {  # NAMES: the addresses for a Dovecot listener
  if [ -z "$1" ]; then echo '*'; else listen-address $1 | paste -sd ' '; fi
}
cat > /etc/dovecot/listeners.conf <<CONF
service lmtp {
  inet_listener lmtp {
    address = $(listeners "${LMTP_LISTEN:-}")
    port = 24
  }
}
service imap-login {
  inet_listener imap {
    address = $(listeners "${IMAP_LISTEN:-}")
    port = 143
  }
  # No IMAPS (993), which Dovecot opens on every address once TLS is set: IMAP
  # is STARTTLS on 143 only, the one port the flow policy declares.
  inet_listener imaps {
    port = 0
  }
}
CONF

# A recovered store (RESTORE_FROM: the vault copy's export, RESTORE_DOMAIN:
# the copy's domain) starts from the copy's mailboxes, never empty.
if [ -n "${RESTORE_FROM:-}" ] && [ ! -d "/var/mail/$domain" ]; then
  rm -rf /var/mail/.restore
  VAULT_TOKEN_FILE=/run/secrets/mail_copy_token vault-fetch tree "$RESTORE_FROM" "${RESTORE_DOMAIN:?}" /var/mail/.restore
  chown -R vmail:vmail /var/mail/.restore
  mv /var/mail/.restore "/var/mail/$domain"
  echo "mailstore: restored $(find "/var/mail/$domain" -mindepth 1 -maxdepth 1 -type d | wc -l) mailboxes from the vault's copy"
fi
install -d -o vmail -g vmail "/var/mail/$domain"
# The vault's copy exports its mailboxes on the backup link, for a restore, to
# a request that carries the stack's mail copy token (vmail's to read only).
if [ -n "${EXPORT_PORT:-}" ]; then
  for secret in mail_copy_token mail_vault_tls_cert mail_vault_tls_key; do
    chown vmail: "/run/secrets/$secret"
    chmod 0400 "/run/secrets/$secret"
  done
  setpriv --reuid=vmail --regid=vmail --init-groups --inh-caps=-all --bounding-set=-all -- \
    python3 /usr/local/bin/vault-export /var/mail "$EXPORT_PORT" /run/secrets/mail_copy_token \
    /run/secrets/mail_vault_tls_cert /run/secrets/mail_vault_tls_key \
    "$(if [ -n "${EXPORT_LISTEN:-}" ]; then listen-address "$EXPORT_LISTEN"; else echo 0.0.0.0; fi)" &
fi
exec dovecot -F
