#!/usr/bin/env bash
# Install the named Debian packages that are missing. Only as root (CI and these machines are root);
# otherwise say what is missing and carry on, so a non-root developer can install them once by hand.
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "emojiml: missing Debian packages (install them as root): ${missing[*]}" >&2
  exit 0
fi
echo "emojiml: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
