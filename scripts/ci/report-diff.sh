#!/usr/bin/env bash
# Diffs this commit's quality report against the base branch's committed one,
# for the pull-request comment, the job summary and an artifact. When
# data/generated is stale, the head is the regenerated report instead.
#
#   BASE_REF     the pull request's base branch; empty (a push): the base is
#                this commit's committed report
#   REGENERATED  the folder `generate --out` wrote when --check failed; may not exist
#   DIFF_DIR     where report-diff.md is written
#
# Writes to $GITHUB_OUTPUT `status` (report:diff's exit code: 1 when a
# --fail-on check fired) and `written=true`; appends the diff to
# $GITHUB_STEP_SUMMARY. Exits non-zero only when something broke.
set -euo pipefail

: "${DIFF_DIR:?}" "${GITHUB_OUTPUT:?}" "${GITHUB_STEP_SUMMARY:?}"
report=data/generated/quality-report.json
generate='npm run generate -- --prompts 128..8192 --step 64'
heading='### Quality report diff'
work=$(mktemp -d "${RUNNER_TEMP:-/tmp}/perf-db-diff-work.XXXXXX")
mkdir -p "$DIFF_DIR"
out="$DIFF_DIR/report-diff.md"

head_report=$report
stale=false
if [[ -n "${REGENERATED:-}" && -f "$REGENERATED/quality-report.json" ]]; then
  head_report=$REGENERATED/quality-report.json
  stale=true
fi

has_base=true
if [[ -n "${BASE_REF:-}" ]]; then
  # The checkout holds one commit; fetch the base branch's tip alone.
  git fetch --quiet --no-tags --depth=1 origin "refs/heads/${BASE_REF}"
  if git cat-file -e "FETCH_HEAD:${report}" 2>/dev/null; then
    git show "FETCH_HEAD:${report}" > "$work/base.json"
  else
    has_base=false
  fi
else
  cp "$report" "$work/base.json"
fi

status=0
if [[ $has_base == false ]]; then
  printf '%s\n\nThe base branch `%s` has no quality report yet.\n' "$heading" "$BASE_REF" > "$work/diff.md"
else
  npm run -s report:diff -- "$work/base.json" "$head_report" \
    --fail-on new-fail --fail-on status-worse --out "$work/diff.md" 2> "$work/stderr" || status=$?
  cat "$work/stderr" >&2
  if [[ ! -f "$work/diff.md" ]] && grep -q 'E_SCHEMA_VERSION' "$work/stderr"; then
    # A pull request that changes the report's shape: nothing to compare field by field, and nothing wrong.
    { printf '%s\n\nThe report'"'"'s schema changed in this pull request, so it is not compared field by field:\n\n```\n' "$heading"; cat "$work/stderr"; printf '```\n\nThe regenerated report is in this run'"'"'s artifact.\n'; } > "$work/diff.md"
    status=0
  elif [[ ! -f "$work/diff.md" ]]; then
    # report:diff refused the reports: say so where the diff would be.
    { printf '%s\n\nThe reports could not be compared:\n\n```\n' "$heading"; cat "$work/stderr"; printf '```\n'; } > "$work/diff.md"
    if [[ $status -eq 0 ]]; then status=1; fi
  fi
fi

if [[ $stale == true ]]; then
  note="**data/generated is stale:** it is not what this commit generates, so the diff below is of the regenerated report, uploaded with the other regenerated files as an artifact of this run. Run \`${generate}\` and commit data/generated."
  { head -n 1 "$work/diff.md"; printf '\n%s\n' "$note"; tail -n +2 "$work/diff.md"; } > "$out"
else
  cp "$work/diff.md" "$out"
fi

cat "$out" >> "$GITHUB_STEP_SUMMARY"
{
  echo "status=${status}"
  echo "written=true"
} >> "$GITHUB_OUTPUT"
rm -rf "$work"
