-- base_telemetry__ai_events holds every raw row exactly once (nothing dropped, nothing fanned out).

with

raw_events as (

    select count(*) as row_count from {{ source('telemetry', 'ai_events') }}

),

base_events as (

    select count(*) as row_count from {{ ref('base_telemetry__ai_events') }}

),

final as (

    select
        raw_events.row_count as raw_rows,
        base_events.row_count as base_rows
    from raw_events
    cross join base_events

)

select * from final
where raw_rows <> base_rows
