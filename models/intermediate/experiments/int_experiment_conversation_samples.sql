-- One row per control_vs_treatment metric and post-launch conversation with a
-- known arm that belongs to the metric's population (CONTRACT.md section 3,
-- experiment_comparison): the conversation's contribution to its arm as a
-- numerator and a denominator, so that an arm's value is
-- sum(numerator_value) / sum(denominator_value).
-- - proportions (completion, deflection, escalation): 1 or 0 over 1;
-- - cost_per_successful_outcome, a ratio of two per-conversation means:
--   the conversation's response cost over 1 (completed) or 0.
with

conversations as (
    select * from {{ ref('int_conversations_assembled') }}
),

assigned as (
    select
        conversation_id,
        workflow,
        case
            when feature_flag_state = 'control' then 'baseline'
            else 'treatment'
        end as arm,
        case when is_completed then 1.0 else 0.0 end as completed,
        case when is_deflected then 1.0 else 0.0 end as deflected,
        case when is_escalated then 1.0 else 0.0 end as escalated,
        cost_usd
    from conversations
    where
        is_post_launch
        and feature_flag_state in ('control', 'treatment')
),

samples as (
    select
        conversation_id,
        workflow,
        arm,
        'conversation_completion_rate' as metric_key,
        'proportion' as statistic,
        completed as numerator_value,
        1.0 as denominator_value
    from assigned
    union all
    -- deflection is defined on support_automation conversations only
    select
        conversation_id,
        workflow,
        arm,
        'support_deflection_rate' as metric_key,
        'proportion' as statistic,
        deflected as numerator_value,
        1.0 as denominator_value
    from assigned
    where workflow = 'support_automation'
    union all
    select
        conversation_id,
        workflow,
        arm,
        'conversation_escalation_rate' as metric_key,
        'proportion' as statistic,
        escalated as numerator_value,
        1.0 as denominator_value
    from assigned
    union all
    select
        conversation_id,
        workflow,
        arm,
        'cost_per_successful_outcome' as metric_key,
        'ratio' as statistic,
        cost_usd as numerator_value,
        completed as denominator_value
    from assigned
),

final as (
    select
        -- ids
        cast(conversation_id as {{ dbt.type_string() }}) as conversation_id,
        -- strings
        cast(metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(statistic as {{ dbt.type_string() }}) as statistic,
        cast(arm as {{ dbt.type_string() }}) as arm,
        cast(workflow as {{ dbt.type_string() }}) as workflow,
        -- numerics
        cast(numerator_value as {{ type_double() }}) as numerator_value,
        cast(denominator_value as {{ type_double() }}) as denominator_value
    from samples
)

select * from final
