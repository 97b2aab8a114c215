#!/usr/bin/env bash
# clang-format check on every tracked C++ file; clang-tidy on the C++ files changed since
# the merge base with main (or the last commit), using the build's compile_commands.json.
set -uo pipefail
build_dir=${1:-build}
status=0

mapfile -t files < <(git ls-files '*.cc' '*.h')
if ! clang-format --dry-run -Werror "${files[@]}"; then
  echo "lint: clang-format differences (fix with: make format)"
  status=1
fi

base=$(git merge-base HEAD origin/main 2>/dev/null || git rev-parse HEAD~1 2>/dev/null || true)
if [ -n "$base" ]; then
  mapfile -t changed < <( { git diff --name-only "$base" -- '*.cc'; git diff --name-only -- '*.cc'; } | sort -u)
else
  changed=()
fi
existing=()
for f in "${changed[@]}"; do [ -f "$f" ] && existing+=("$f"); done
if [ ${#existing[@]} -gt 0 ]; then
  echo "lint: clang-tidy on ${#existing[@]} changed file(s)"
  if ! clang-tidy -p "$build_dir" --quiet "${existing[@]}"; then status=1; fi
fi
[ $status -eq 0 ] && echo "lint: clean"
exit $status
