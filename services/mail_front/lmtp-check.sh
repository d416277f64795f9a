#!/bin/bash
# Whether the mail front can use the mail store through its own path: an
# LMTP exchange with MAILSTORE_HOST (greeting 220, LHLO answered 250), as
# Postfix delivers. The recovery plan runs this to judge storage damage from
# where the service stands; it prints what it saw. Bounded: every read waits
# at most READ_S, and the caller bounds the whole exchange.
set -u
host=${MAILSTORE_HOST:?}
read_s=${READ_S:-2}
started=$(date +%s%N)
took() { local ms=$(( ($(date +%s%N) - started) / 1000000 )); printf '%d.%03d s' $((ms / 1000)) $((ms % 1000)); }
fail() { echo "mail store $host: $1 after $(took)"; exit 1; }
exec 3<>"/dev/tcp/$host/24" 2>/dev/null || fail "LMTP connection refused or unreachable"
IFS= read -r -t "$read_s" greeting <&3 || fail "no LMTP greeting"
[[ $greeting == 220* ]] || fail "LMTP greeting ${greeting%$'\r'}"
printf 'LHLO recovery-plan\r\n' >&3
while IFS= read -r -t "$read_s" line <&3; do
  case $line in
    250\ *) printf 'QUIT\r\n' >&3; echo "mail store $host: LMTP answered in $(took)"; exit 0 ;;
    250-*) ;;
    *) fail "LHLO answered ${line%$'\r'}" ;;
  esac
done
fail "no answer to LHLO"
