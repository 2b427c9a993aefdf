#!/usr/bin/env bash
# What the tests need from the system: Debian's Chromium (the browser tests), poppler and qpdf
# (the PDF checks), clamd (the virus scanner) and nginx (portal nodes behind a load balancer). Installed with apt-get when run as root (a CI
# machine, a container); otherwise the one line to run is printed and the tests stop.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
[ -x /usr/sbin/clamd ] || [ -n "${CLAMD_PATH:-}" ] || need+=(clamav-daemon)
[ -x /usr/sbin/nginx ] || [ -n "${NGINX_PATH:-}" ] || need+=(nginx)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "== apt-get install ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# No daemon started by the packages (the tests run their own clamd and nginx), unless the
	# machine already has its own policy.
	policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy"
	fi
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
	if [ -n "$policy" ]; then rm -f "$policy"; fi
else
	echo "The tests need: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
	exit 1
fi
