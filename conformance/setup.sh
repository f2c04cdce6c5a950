#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine, idempotently: nothing is
# fetched when it is already there. Debian packages by apt, Python tools into a venv under
# conformance/.venv (so the system Python stays untouched).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

# dovecot and postfix: the mail loop test (tests/mail_loop.rs) runs private instances of
# both (conformance/mail/start.sh); the system-wide services the packages start are unused.
# chromium and chromium-driver: the public pages driven in a headless browser (tests/browser.rs).
APT_PACKAGES=(litmus curl openssl dovecot-imapd dovecot-lmtpd postfix chromium chromium-driver)
PIP_PACKAGES=(
  "caldav==3.6.0"
  "caldav-server-tester==1.7.0"
  "vobject"
  "icalendar"
  "vdirsyncer==0.21.0"
  "aiosmtpd"
)
# schemathesis gets a venv of its own: in the one above, caldav's niquests brings
# urllib3-future, which replaces urllib3 under requests and breaks schemathesis's transport.
API_PIP_PACKAGES=(
  "schemathesis==4.32.5"
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Postfix asks how to configure itself; our instance has its own main.cf.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

venv="$here/.venv"
stamp="$venv/.installed-$(printf '%s\n' "${PIP_PACKAGES[@]}" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python tools into $venv"
  # An existing venv (or a symlink to a shared one) is reused: venv refuses symlinks.
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "${PIP_PACKAGES[@]}"
  touch "$stamp"
fi

api_venv="$here/.venv-api"
api_stamp="$api_venv/.installed-$(printf '%s\n' "${API_PIP_PACKAGES[@]}" | sha256sum | cut -c1-16)"
if [ ! -f "$api_stamp" ]; then
  echo "setup: installing API conformance tools into $api_venv"
  [ -x "$api_venv/bin/python" ] || python3 -m venv "$api_venv"
  "$api_venv/bin/pip" install -q --disable-pip-version-check "${API_PIP_PACKAGES[@]}"
  touch "$api_stamp"
fi
