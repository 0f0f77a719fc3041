#!/usr/bin/env bash
# Posts the report diff on the pull request as one comment that later runs
# edit: the comment github-actions[bot] wrote whose first line is the marker.
# Never `gh pr comment --edit-last`, which edits the token's last comment,
# whichever workflow wrote it.
#
#   DIFF_FILE      the Markdown diff
#   PR_NUMBER      the pull request
#   ARTIFACT_NAME  the artifact holding the full diff, named when it is cut short
#   GH_TOKEN, GITHUB_REPOSITORY, GITHUB_SERVER_URL, GITHUB_RUN_ID  as GitHub sets them
set -euo pipefail

: "${DIFF_FILE:?}" "${PR_NUMBER:?}" "${ARTIFACT_NAME:?}" "${GITHUB_REPOSITORY:?}" "${GITHUB_SERVER_URL:?}" "${GITHUB_RUN_ID:?}"
marker='<!-- perfdb-report-diff -->'
# GitHub refuses comments over 65,536 characters; a byte count is never lower.
limit=60000
run_url="${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}"
work=$(mktemp -d "${RUNNER_TEMP:-/tmp}/perf-db-comment.XXXXXX")
body=$work/body.md

size=$(wc -c < "$DIFF_FILE")
if (( size + ${#marker} + 1 <= limit )); then
  { printf '%s\n' "$marker"; cat "$DIFF_FILE"; } > "$body"
else
  # Keep the whole lines that fit, with room for the marker and the note.
  {
    printf '%s\n' "$marker"
    head -c "$((limit - 1000))" "$DIFF_FILE" | sed '$d'
    printf '\n---\n\n**The diff is cut short here:** it has %s bytes, more than a comment holds. The full diff is the `%s` artifact of [this run](%s).\n' \
      "$size" "$ARTIFACT_NAME" "$run_url"
  } > "$body"
fi
jq -n --rawfile body "$body" '{body: $body}' > "$work/payload.json"

# The first line, not anywhere in the body: a comment quoting the marker is not ours.
find_ours='.[] | select(.user.login == "github-actions[bot]" and (((.body // "") | split("\n") | .[0] | rtrimstr("\r")) == "'"$marker"'")) | .id'
ids=$(gh api --paginate "repos/${GITHUB_REPOSITORY}/issues/${PR_NUMBER}/comments" --jq "$find_ours")
id=${ids%%$'\n'*}

if [[ -n $id ]]; then
  [[ $id =~ ^[0-9]+$ ]] || { echo "unexpected comment id: ${id}" >&2; exit 1; }
  gh api --method PATCH "repos/${GITHUB_REPOSITORY}/issues/comments/${id}" --input "$work/payload.json" > /dev/null
  echo "Updated comment ${id} on #${PR_NUMBER} ($(wc -c < "$body") bytes)"
else
  gh api --method POST "repos/${GITHUB_REPOSITORY}/issues/${PR_NUMBER}/comments" --input "$work/payload.json" > /dev/null
  echo "Posted a comment on #${PR_NUMBER} ($(wc -c < "$body") bytes)"
fi
rm -rf "$work"
