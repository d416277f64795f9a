#!/bin/bash
# The mail front end: Postfix accepts mail for MAIL_DOMAIN over SMTP and
# delivers it over LMTP to the mail store. While the store is away, mail is
# accepted and deferred in the queue, which lives on this server's own
# volume (not on the storage array); short retry timers drain it within a
# minute of the store's return. Unknown users are refused at RCPT time.
# With MAIL_VAULT_HOST set, each delivered message also goes to the vault.
set -euo pipefail
count=${MAILBOXES:-3000}
domain=${MAIL_DOMAIN:-chu.test}
seq -f "staff%04g@$domain OK" 1 "$count" > /etc/postfix/vmailbox
touch /etc/postfix/main.cf
# A store that is away must never bounce mail: the name of a stopped
# container does not resolve, which Postfix would take as a permanent
# routing error (5.4.4). Make every routing error of LMTP a deferral.
printf '%s\n' '/^5\.4\.([0-9]+)(.*)$/ 4.4.$1$2' > /etc/postfix/lmtp_status_filter
# SMTP on the users' network only (LISTEN: the name of this container's address
# there) and on 127.0.0.1 for the filter's return paths; every address when unset.
interfaces=all
if [ -n "${LISTEN:-}" ]; then
  interfaces="127.0.0.1 $(listen-address $LISTEN | paste -sd ' ')"
fi
postconf -e \
  "myhostname = mail.$domain" \
  "mydestination =" \
  "inet_interfaces = $interfaces" \
  "inet_protocols = ipv4" \
  "mynetworks = 127.0.0.0/8" \
  "virtual_mailbox_domains = $domain" \
  "virtual_mailbox_maps = texthash:/etc/postfix/vmailbox" \
  "virtual_transport = lmtp:inet:${MAILSTORE_HOST}:24" \
  "lmtp_host_lookup = native" \
  "smtp_host_lookup = native" \
  "smtpd_peername_lookup = no" \
  "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination" \
  "smtpd_recipient_restrictions = reject_unlisted_recipient" \
  "queue_run_delay = 5s" \
  "minimal_backoff_time = 5s" \
  "maximal_backoff_time = 10s" \
  "lmtp_connect_timeout = 2s" \
  "lmtp_delivery_status_filter = regexp:/etc/postfix/lmtp_status_filter" \
  "maillog_file = /dev/stdout" \
  "compatibility_level = 3.6"
# TLS: SMTP offers STARTTLS with the certificate of the stack's CA (opportunistic,
# as a public MX must: RFC 3207 forbids it to require TLS of the senders); LMTP to
# the store and to the vault's copy must be TLS, the certificate checked against
# the stack's CA and the next hop's name, or the message waits in the queue.
chmod 0444 /run/secrets/tls_ca_cert  # a public certificate: the filter, unprivileged, reads it too
postconf -e \
  "smtpd_tls_cert_file = /run/secrets/mail_front_tls_cert" \
  "smtpd_tls_key_file = /run/secrets/mail_front_tls_key" \
  "smtpd_tls_security_level = may" \
  "smtpd_tls_protocols = >=TLSv1.2" \
  "smtpd_tls_received_header = yes" \
  "lmtp_tls_security_level = secure" \
  "lmtp_tls_secure_cert_match = nexthop" \
  "lmtp_tls_CAfile = /run/secrets/tls_ca_cert" \
  "lmtp_tls_protocols = >=TLSv1.2" \
  "lmtp_tls_loglevel = 1"
# Every message delivered to a mailbox is also delivered to the same mailbox
# in the backup vault's mail copy (MAIL_VAULT_HOST), in another room, before
# SMTP answers 250: the public smtpd hands each message to mail_copy.py (a
# before-queue filter), which copies it to the vault over LMTP, then queues it
# through the smtpd on 10026. A message the vault could not take is queued
# through the smtpd on 10027 instead, whose recipient_bcc_maps copies it to the
# vault once it is back; it leaves the queue only once both copies are written.
if [ -n "${MAIL_VAULT_HOST:-}" ]; then
  vault_domain="vault.$domain"
  escaped=$(printf '%s' "$domain" | sed 's/\./\\./g')
  printf '/^(.+)@%s$/ ${1}@%s\n' "$escaped" "$vault_domain" > /etc/postfix/vault_bcc
  printf '%s lmtp:inet:%s:24\n' "$vault_domain" "$MAIL_VAULT_HOST" > /etc/postfix/transport
  postconf -e \
    "recipient_bcc_maps = regexp:/etc/postfix/vault_bcc" \
    "transport_maps = texthash:/etc/postfix/transport"
  after_filter=(
    "smtpd_proxy_filter=" "mynetworks=127.0.0.0/8" "smtpd_client_restrictions="
    "smtpd_helo_restrictions=" "smtpd_sender_restrictions=" "smtpd_data_restrictions="
    "smtpd_relay_restrictions=permit_mynetworks,reject" "smtpd_recipient_restrictions=permit_mynetworks,reject"
  )
  for port in 10026 10027; do
    postconf -M "127.0.0.1:$port/inet=127.0.0.1:$port inet n - n - - smtpd"
    for option in "${after_filter[@]}"; do postconf -P "127.0.0.1:$port/inet/$option"; done
  done
  # Copied already: no automatic bcc to the vault on 10026.
  postconf -P "127.0.0.1:10026/inet/receive_override_options=no_address_mappings"
  postconf -P "smtp/inet/smtpd_proxy_filter=127.0.0.1:10025" "smtp/inet/smtpd_proxy_options=speed_adjust"
  setpriv --reuid=mailcopy --regid=mailcopy --init-groups --inh-caps=-all --bounding-set=-all -- \
    python3 -m services.mail_front.mail_copy &
fi
# No chroot in a container: the daemons use the container's own resolver.
postconf -F '*/*/chroot = n'
newaliases
echo "mail-front: accepting mail for $count mailboxes of $domain, delivering to ${MAILSTORE_HOST}"
exec postfix start-fg
