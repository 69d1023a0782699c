-- One row per valid prompt event (ai_user_prompt_created) with a user: the
-- events that make a user active in a week. Prompt events without a user_id
-- have no user to count and are left out. Read by int_ai_activity_weekly and
-- int_user_prompt_segments_weekly. A view: a filter of the staged events.
{{ config(materialized='view') }}

with

events as (
    select * from {{ ref('int_ai_events_unioned') }}
),

final as (
    select
        event_id,
        user_id,
        session_id,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        {{ period_start('week', 'occurred_at') }} as week_start
    from events
    where
        event_name = 'ai_user_prompt_created'
        and user_id is not null
)

select * from final
