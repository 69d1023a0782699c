-- One row per ISO week, user and combination of the segments (workflow,
-- model_version, prompt_version, feature_flag_state) of the user's valid
-- prompt events in that week, with their count. Prompt events without a
-- user_id have no user to count and are left out, as in ops_metrics.
-- fct_ai_prompt_activity_weekly publishes it without the user id.
{{ config(materialized='view') }}

with

events as (
    select * from {{ ref('stg_telemetry__ai_events') }}
),

prompt_events as (
    select
        user_id,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        {{ period_start('week', 'occurred_at') }} as week_start
    from events
    where
        event_name = 'ai_user_prompt_created'
        and user_id is not null
),

final as (
    select
        week_start,
        user_id,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        count(*) as n_prompts
    from prompt_events
    group by
        week_start,
        user_id,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state
)

select * from final
