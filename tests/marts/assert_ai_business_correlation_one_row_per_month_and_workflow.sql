-- Grain of ai_business_correlation: one row per cohort_month and workflow.

select
    cohort_month,
    workflow,
    count(*) as n_rows
from {{ ref('ai_business_correlation') }}
group by 1, 2
having count(*) > 1
