#!/usr/bin/env bash
# Makes sure the Erlang/Elixir toolchain the tests and the demo build with is here:
# installs it from Debian packages when it is missing and this machine allows it,
# otherwise says exactly what to install.
set -euo pipefail

packages=(erlang-nox erlang-dev erlang-src elixir rebar3)
missing() {
  for cmd in erl erlc elixir mix rebar3; do
    command -v "$cmd" >/dev/null 2>&1 || { echo "$cmd"; return; }
  done
  # erlang-src puts the OTP sources next to the beams; the tests read sasl's.
  local sasl
  sasl=$(erl -noshell -eval 'io:format("~s", [code:lib_dir(sasl)]), halt().' 2>/dev/null)
  [ -f "$sasl/src/systools_rc.erl" ] || echo "erlang-src"
}

gap=$(missing)
[ -z "$gap" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "gen-appup: $gap is missing; installing ${packages[*]} from Debian packages (about a minute)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  gap=$(missing)
  [ -z "$gap" ] && { echo "gen-appup: toolchain installed."; exit 0; }
fi

cat >&2 <<MSG
gen-appup: the tests and the demo need Erlang/OTP (24 or later) with its sources, Elixir (1.14 or later)
and rebar3; '$gap' is not available. On Debian or Ubuntu, as root:
  apt-get update && apt-get install -y ${packages[*]}
Elsewhere install them with your package manager or asdf, then run this again.
MSG
exit 1
