-- One row per conversation with the value it created (METRIC_READINGS.md):
-- a completed conversation removes (baseline - ai - review minutes of its
-- workflow) / 60 hours, worth that many hours x its workflow's
-- loaded_hourly_cost_usd; a deflected support_automation conversation saves
-- the support_automation row's cost_per_ticket_usd. A workflow without an
-- roi_assumptions row contributes 0. Periods by the conversation's start.
with

conversations as (
    select * from {{ ref('int_conversations_assembled') }}
),

roi_assumptions as (
    select * from {{ ref('roi_assumptions') }}
),

-- the one price of a deflected ticket (workflow is unique in the seed)
ticket_price as (
    {{ deflected_ticket_price('roi_assumptions') }}
),

assumed as (
    select
        conversations.conversation_id,
        conversations.workflow,
        conversations.model_version,
        conversations.prompt_version,
        conversations.feature_flag_state,
        roi_assumptions.baseline_minutes_per_case,
        roi_assumptions.ai_minutes_per_case,
        roi_assumptions.review_minutes_per_case,
        roi_assumptions.loaded_hourly_cost_usd,
        ticket_price.deflection_cost_per_ticket_usd,
        coalesce(conversations.is_completed, false) as is_completed,
        coalesce(conversations.is_deflected, false) as is_deflected,
        conversations.started_at
    from conversations
    left join roi_assumptions
        on conversations.workflow = roi_assumptions.workflow
    cross join ticket_price
),

valued as (
    select
        *,
        case
            when is_completed
                then
                    coalesce(
                        (
                            baseline_minutes_per_case
                            - ai_minutes_per_case
                            - review_minutes_per_case
                        ) / 60.0,
                        0
                    )
            else 0
        end as work_removed_hours,
        case
            when is_deflected
                then coalesce(deflection_cost_per_ticket_usd, 0)
            else 0
        end as deflection_savings_usd
    from assumed
),

final as (
    select
        -- ids
        conversation_id,
        -- strings
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        -- numerics
        {{ roi_assumption_columns() }},
        cast(work_removed_hours as {{ type_double() }}) as work_removed_hours,
        cast(
            work_removed_hours * coalesce(loaded_hourly_cost_usd, 0)
            as {{ type_double() }}
        ) as labor_savings_usd,
        cast(deflection_savings_usd as {{ type_double() }})
            as deflection_savings_usd,
        cast(
            work_removed_hours * coalesce(loaded_hourly_cost_usd, 0)
            + deflection_savings_usd
            as {{ type_double() }}
        ) as cost_savings_usd,
        -- booleans
        is_completed,
        is_deflected,
        -- dates
        {{ period_start('week', 'started_at') }} as week_start,
        {{ period_start('month', 'started_at') }} as month_start,
        -- timestamps
        started_at
    from valued
)

select * from final
