-- One row per ISO week, user and combination of the segments (workflow,
-- model_version, prompt_version, feature_flag_state) of the user's valid
-- prompt events (int_ai_prompt_events) in that week, with their count.
-- fct_ai_prompt_activity_weekly publishes it without the user id.
{{ config(materialized='view') }}

with

prompt_events as (
    select * from {{ ref('int_ai_prompt_events') }}
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
