{{ config(severity='warn') }}
-- Cross-check: ai_adoption_weekly.active_ai_users and the weekly_active_users
-- metric of ops_metrics implement the same definition (distinct non-null
-- user_id with a valid prompt event in the ISO week). A warning, not an error:
-- it points at a disagreement between two teams' models.

with

adoption as (

    select * from {{ ref('ai_adoption_weekly') }}

),

ops_metrics as (

    select * from {{ ref('ops_metrics') }}

),

weekly_active_users as (

    select
        period_start as week_start,
        value
    from ops_metrics
    where
        metric_key = 'weekly_active_users'
        and period_grain = 'week'
        and segment_type = 'overall'

),

final as (

    select
        adoption.week_start,
        adoption.active_ai_users,
        weekly_active_users.value as ops_weekly_active_users
    from adoption
    left join weekly_active_users
        on adoption.week_start = weekly_active_users.week_start
    where
        adoption.active_ai_users > 0
        and coalesce(weekly_active_users.value, -1) <> adoption.active_ai_users

)

select * from final
