{{ config(severity='warn') }}

-- Warns on every day whose valid AI event count fell below half of its trailing
-- seven-day mean (ai_event_volume_daily.is_volume_drop). Warn, not error: a drop
-- asks someone to check the loaders; the metrics of the other days stay correct.
select
    event_date,
    event_count,
    trailing_7d_avg_event_count
from {{ ref('ai_event_volume_daily') }}
where is_volume_drop
