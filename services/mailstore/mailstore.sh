#!/bin/bash
# The mail store: writes the mailbox list (MAILBOXES users of MAIL_DOMAIN,
# staff0001 to staffNNNN, one password from the deployed secret), then runs
# Dovecot in the foreground.
set -euo pipefail
count=${MAILBOXES:-3000}
domain=${MAIL_DOMAIN:-chu.test}
hash=$(doveadm pw -s SHA512-CRYPT -p "$(tr -d '\n' < /run/secrets/mail_user_password)")
umask 027
for n in $(seq -f '%04g' 1 "$count"); do
  printf 'staff%s@%s:%s\n' "$n" "$domain" "$hash"
done > /etc/dovecot/users.new
chgrp dovecot /etc/dovecot/users.new
mv /etc/dovecot/users.new /etc/dovecot/users
chmod 0400 /run/secrets/mail_user_password
echo "mailstore: $count mailboxes of $domain"

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
  chown vmail: /run/secrets/mail_copy_token
  chmod 0400 /run/secrets/mail_copy_token
  setpriv --reuid=vmail --regid=vmail --init-groups --inh-caps=-all --bounding-set=-all -- \
    python3 /usr/local/bin/vault-export /var/mail "$EXPORT_PORT" /run/secrets/mail_copy_token &
fi
exec dovecot -F
