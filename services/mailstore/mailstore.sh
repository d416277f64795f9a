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
exec dovecot -F
