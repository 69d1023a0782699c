-- is_duplicate is only ever true for valid rows, and every event_id with valid rows keeps exactly
-- one non-duplicate row.
-- The kept-row count is checked only for the event_ids that have a row flagged as duplicate:
-- an event_id without one keeps all its valid rows, so it keeps exactly one unless it has two or
-- more, which the unique test on stg_telemetry__ai_events.event_id (its kept rows) reports. The
-- two tests together check what one aggregate over every event_id did, without a second hash
-- aggregate of the whole event table (10 M groups at 10 M events).

with

base_events as (

    select * from {{ ref('base_telemetry__ai_events') }}

),

quarantined_duplicates as (

    select
        event_id,
        'quarantined row flagged as duplicate' as problem
    from base_events
    where quarantine_reason is not null and is_duplicate

),

events_with_duplicates as (

    select event_id from base_events
    where is_duplicate

),

kept_per_event as (

    select
        event_id,
        sum(case when is_duplicate then 0 else 1 end) as kept_rows
    from base_events
    where
        quarantine_reason is null
        and event_id in (select events_with_duplicates.event_id from events_with_duplicates)
    group by 1

),

wrong_kept_counts as (

    select
        event_id,
        'valid event_id without exactly one kept row' as problem
    from kept_per_event
    where kept_rows <> 1

),

final as (

    select * from quarantined_duplicates
    union all
    select * from wrong_kept_counts

)

select * from final
