#!/usr/bin/env bash
# The one policy check CI and the pre-commit hook run: validate, test, and (given a base revision) the effective diff.
# Usage: policies/ci/policy-check.sh [BASE_REV [HEAD_REV]]     (without HEAD_REV the diff is against the work tree)
# Env:   ATYM          how to run atym (default: atym; e.g. "dotnet run --project cli --")
#        POLICY_DIR    the policy folder, relative to the repository root (default: policies/samples)
#        POLICY_FORMAT validate's output: text, github (Actions annotations) or json (default: text)
#        DIFF_OUT      also write the diff's Markdown to this file (a PR comment)
# Exit:  0 fine; 1 invalid policies, a failing policy test or a broken diff; 2 trust or permissions widen.
set -uo pipefail
atym=${ATYM:-atym}
dir=${POLICY_DIR:-policies/samples}
format=${POLICY_FORMAT:-text}
cd "$(git rev-parse --show-toplevel)" || exit 1

echo "== atym policy validate $dir"
$atym policy validate "$dir" --format "$format" || exit 1
echo "== atym policy test $dir"
$atym policy test "$dir" || exit 1

[ -n "${1:-}" ] || exit 0
echo "== atym policy diff --git $1 ${2:-(work tree)}"
diff_file=$(mktemp)
trap 'rm -f "$diff_file"' EXIT
$atym policy diff --git "$1" ${2:+"$2"} --dir "$dir" >"$diff_file"
status=$?
cat "$diff_file"
[ -n "${DIFF_OUT:-}" ] && cp "$diff_file" "$DIFF_OUT"
case $status in
  0) exit 0 ;;
  2) echo "policy-check: trust or permissions widen; a reviewer must approve each line marked widens" >&2; exit 2 ;;
  *) exit 1 ;;
esac
