#!/usr/bin/env bash
# What the tests need from the system: Debian's Chromium (the browser tests), poppler and qpdf
# (the PDF checks) and clamd (the virus scanner). Installed with apt-get when run as root (a CI
# machine, a container); otherwise the one line to run is printed and the tests stop.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
[ -x /usr/sbin/clamd ] || [ -n "${CLAMD_PATH:-}" ] || need+=(clamav-daemon)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "== apt-get install ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
	echo "The tests need: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
	exit 1
fi
