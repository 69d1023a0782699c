-- One row per conversation that at least one CRM outcome is attributed to
-- (int_crm_outcomes_attributed): how many outcomes, how many of them are
-- conversions and the revenue of those conversions. fct_ai_conversations
-- joins it (0 for a conversation without an attributed outcome). A view:
-- the incremental mart reads it for the conversations of its batch only.
{{ config(materialized='view') }}

with

outcomes as (
    select * from {{ ref('int_crm_outcomes_attributed') }}
),

final as (
    select
        attributed_conversation_id as conversation_id,
        count(*) as n_attributed_outcomes,
        sum(case when is_conversion then 1 else 0 end)
            as n_attributed_conversions,
        coalesce(sum(case when is_conversion then amount_usd end), 0)
            as attributed_revenue_usd
    from outcomes
    where attributed_conversation_id is not null
    group by 1
)

select * from final
