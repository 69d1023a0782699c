#!/usr/bin/env bash
# The scheduled data-quality run: the one script that CI's schedule
# (examples/github-actions/scheduled-data-tests.yml) and a developer run, so the two cannot drift.
# tests_py/test_scheduled_run.py runs it on a small DuckDB demo (fresh and stale).
#
#   1. dbt source freshness                          (a source past error_after fails the run)
#   2. dbt build --exclude-resource-type unit_test   (an error-severity test fails the run)
#   3. ai-ops gx                                     (a failed expectation fails the run)
#
# Every step runs even after an earlier one failed, so one run reports every problem; the exit
# code is 1 when any step failed, 0 otherwise (warnings do not fail it). The artifacts
# (sources.json, run_results.json, manifest.json, gx_report.json, one log per step) are copied to
# $AI_OPS_ARTIFACTS_DIR after each step, also when it failed.
#
# Environment (all optional):
#   AI_OPS_TARGET         duckdb (default) or postgres; the connection comes from profiles.yml.example's
#                         variables (AI_OPS_PG_HOST, _PORT, _USER, _PASSWORD, _DATABASE; AI_OPS_DUCKDB_PATH)
#   AI_OPS_SCHEMA         dbt target schema (default analytics)
#   AI_OPS_DBT_VARS       YAML/JSON for dbt --vars, e.g. '{raw_schema: raw, ai_launch_date: "2026-03-02"}'
#   AI_OPS_ARTIFACTS_DIR  where the artifacts go (default ./artifacts)
#   DBT_PROFILES_DIR      a profiles.yml of your own (default: a copy of profiles.yml.example)
#   DBT_TARGET_PATH, DBT_LOG_PATH  dbt's own (default target/ and logs/ of the project)
#   DBT, AI_OPS           the commands (default: dbt and ai-ops on PATH)
set -uo pipefail

project="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$project" || exit 1

target="${AI_OPS_TARGET:-duckdb}"
artifacts="${AI_OPS_ARTIFACTS_DIR:-$project/artifacts}"
dbt_target_path="${DBT_TARGET_PATH:-$project/target}"
dbt="${DBT:-dbt}"
ai_ops="${AI_OPS:-ai-ops}"

case "$target" in
    duckdb | postgres) ;;
    *) echo "scheduled_run: AI_OPS_TARGET must be duckdb or postgres, not '$target'" >&2; exit 2 ;;
esac

if [[ -z "${DBT_PROFILES_DIR:-}" ]]; then
    DBT_PROFILES_DIR="$(mktemp -d)"
    trap 'rm -rf "$DBT_PROFILES_DIR"' EXIT
    cp "$project/profiles.yml.example" "$DBT_PROFILES_DIR/profiles.yml"
fi
export DBT_PROFILES_DIR AI_OPS_TARGET="$target"
mkdir -p "$artifacts"
# nothing of an earlier run may pass for this one's
rm -f "$artifacts"/{sources.json,freshness_run_results.json,run_results.json,manifest.json,gx_report.json}
rm -f "$artifacts"/{freshness,build,gx}.log

dbt_args=(--target "$target" --target-path "$dbt_target_path")
if [[ -n "${AI_OPS_DBT_VARS:-}" ]]; then
    dbt_args+=(--vars "$AI_OPS_DBT_VARS")
fi

failed=()

keep() {  # copy dbt's artifacts of the step just run, when it wrote them
    local name
    for name in "$@"; do
        if [[ -f "$dbt_target_path/$name" ]]; then
            cp "$dbt_target_path/$name" "$artifacts/$name"
        fi
    done
}

group() {  # fold a step's output in the GitHub Actions log; plain lines elsewhere
    if [[ "${GITHUB_ACTIONS:-}" == "true" ]]; then
        echo "::$1::${2:-}"
    fi
}

step() {  # step NAME COMMAND...: run, log to the artifacts dir and the console, record a failure
    local name="$1"
    shift
    group group "$name"
    echo "scheduled_run: $name: $*"
    "$@" 2>&1 | tee "$artifacts/$name.log"
    local status="${PIPESTATUS[0]}"
    group endgroup
    if [[ "$status" -ne 0 ]]; then
        failed+=("$name (exit $status)")
    fi
    return 0
}

rm -f "$dbt_target_path/sources.json" "$dbt_target_path/run_results.json"
step freshness "$dbt" source freshness "${dbt_args[@]}"
keep sources.json
[[ -f "$dbt_target_path/run_results.json" ]] && cp "$dbt_target_path/run_results.json" "$artifacts/freshness_run_results.json"

rm -f "$dbt_target_path/run_results.json"
step build "$dbt" build --exclude-resource-type unit_test "${dbt_args[@]}"
keep run_results.json manifest.json

step gx "$ai_ops" gx --target "$target" --output "$artifacts/gx_report.json"

if [[ "${#failed[@]}" -gt 0 ]]; then
    echo "scheduled_run: FAILED: ${failed[*]}; artifacts in $artifacts" >&2
    exit 1
fi
echo "scheduled_run: ok (freshness, build, gx); artifacts in $artifacts"
