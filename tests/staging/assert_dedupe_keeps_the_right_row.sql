{#-
    CONTRACT.md section 4, checked on the built data of the 14 non-telemetry
    tables: each valid key of a base_ model appears exactly once in its stg_
    model, and the row kept is the earliest loaded (append-only tables), the
    latest updated (support_tickets, crm_opportunities) or the latest loaded
    (users, controls). Returns one row per key that breaks this.
-#}
{%- set tables = [
    ('base_app__users', 'stg_app__users', 'user_id', 'max', 'loaded_at'),
    ('base_support__support_tickets', 'stg_support__tickets', 'ticket_id', 'max', 'updated_at'),
    ('base_crm__crm_outcomes', 'stg_crm__outcomes', 'outcome_id', 'min', 'loaded_at'),
    ('base_crm__crm_opportunities', 'stg_crm__opportunities', 'opportunity_id', 'max', 'updated_at'),
    ('base_agents__agent_runs', 'stg_agents__runs', 'run_id', 'min', 'loaded_at'),
    ('base_agents__agent_steps', 'stg_agents__steps', 'span_id', 'min', 'loaded_at'),
    ('base_agents__agent_decisions', 'stg_agents__decisions', 'decision_id', 'min', 'loaded_at'),
    ('base_ops__incidents', 'stg_ops__incidents', 'incident_id', 'min', 'loaded_at'),
    ('base_ops__deployments', 'stg_ops__deployments', 'change_id', 'min', 'loaded_at'),
    ('base_ops__connector_checks', 'stg_ops__connector_checks', 'check_id', 'min', 'loaded_at'),
    ('base_governance__model_evaluations', 'stg_governance__model_evaluations', 'evaluation_id', 'min', 'loaded_at'),
    ('base_governance__controls', 'stg_governance__controls', 'control_id', 'max', 'loaded_at'),
    ('base_governance__ai_initiatives', 'stg_governance__ai_initiatives', 'initiative_id', 'min', 'loaded_at'),
    ('base_finance__cost_ledger', 'stg_finance__cost_ledger_entries', 'entry_id', 'min', 'loaded_at'),
] -%}

{#-
    One aggregate per table over its base and stg rows together, on the
    table's own key: cheaper than two aggregates per table and a full outer
    join of all fourteen on a key cast to text. A null key is always
    reported (it could not be matched by a join either).
-#}

with

final as (
    {% for base, stg, key, agg, column in tables %}
        select
            '{{ stg }}' as model_name,
            cast({{ key }} as {{ dbt.type_string() }}) as key_value,
            n_rows,
            expected_value,
            kept_value
        from (
            select
                {{ key }},
                count(case when is_kept then 1 end) as n_rows,
                count(case when not is_kept then 1 end) as n_expected_rows,
                cast(
                    {{ agg }}(case when not is_kept then {{ column }} end)
                    as {{ dbt.type_timestamp() }}
                ) as expected_value,
                cast(
                    {{ agg }}(case when is_kept then {{ column }} end)
                    as {{ dbt.type_timestamp() }}
                ) as kept_value
            from (
                select
                    {{ key }},
                    {{ column }},
                    false as is_kept
                from {{ ref(base) }}
                where quarantine_reason is null
                union all
                select
                    {{ key }},
                    {{ column }},
                    true as is_kept
                from {{ ref(stg) }}
            ) as key_rows
            group by {{ key }}
        ) as per_key
        where
            {{ key }} is null
            or n_expected_rows = 0
            or n_rows <> 1
            or not (
                kept_value = expected_value
                or (kept_value is null and expected_value is null)
            )
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
