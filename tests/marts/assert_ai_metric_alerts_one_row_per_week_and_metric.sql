-- Grain of ai_metric_alerts: one row per week_start and metric_key.

select
    week_start,
    metric_key,
    count(*) as n_rows
from {{ ref('ai_metric_alerts') }}
group by 1, 2
having count(*) > 1
