#!/usr/bin/env bash
# Installs the Debian packages policygen needs at run time (and with --test, those its tests use) when it
# can (root with apt); otherwise names the packages to install.
set -euo pipefail

missing=()
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
# fonts-liberation2: the metric-compatible Times New Roman that LibreOffice lays our DOCX out with
# chromium: the browser the web form's tests drive headless
[ "${1:-}" = "--test" ] && packages+=(poppler-utils fonts-liberation2 chromium)
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${1:-}" = "--test" ]; then
    command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "policygen needs these Debian packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
