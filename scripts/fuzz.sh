#!/usr/bin/env bash
# Runs every fuzz target in the module for a short while.
#
#   ./scripts/fuzz.sh [DURATION] [PACKAGES...]
#
# DURATION is a go test -fuzztime value (default 20s); PACKAGES default to
# ./... . Targets are found with `go test -list '^Fuzz'`, so a new Fuzz
# function is picked up without editing this script. Each target runs on
# its own (go test -fuzz takes one target in one package). Every target is
# run even after a failure; the script exits 1 if any failed, naming them.
# A failing input is written under the package's testdata/fuzz/ by go test;
# commit it as a regression case once the bug is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

go=${GO:-go}
fuzztime=${1:-20s}
shift || true
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(./...)

# go test -list prints the matching names of a package, then a line
# "ok <import path> <time>" for it ("?" for packages without tests).
listing=$("$go" test -list '^Fuzz' "${pkgs[@]}")
targets=()
names=()
while IFS= read -r line; do
	case $line in
	Fuzz*) names+=("$line") ;;
	ok*)
		pkg=$(awk '{print $2}' <<<"$line")
		for name in ${names[@]+"${names[@]}"}; do
			targets+=("$pkg $name")
		done
		names=()
		;;
	esac
done <<<"$listing"

if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz: no fuzz targets found in ${pkgs[*]}" >&2
	exit 1
fi

failed=()
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	echo "fuzz: $pkg $name for $fuzztime"
	if ! "$go" test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"; then
		failed+=("$pkg $name")
	fi
done

if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: ${#failed[@]} of ${#targets[@]} targets failed:" >&2
	printf '  %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "fuzz: ${#targets[@]} targets passed"
