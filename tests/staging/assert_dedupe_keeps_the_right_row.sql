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

with expected as (
    {% for base, stg, key, agg, column in tables %}
        select
            '{{ stg }}' as model_name,
            cast({{ key }} as {{ dbt.type_string() }}) as key_value,
            cast({{ agg }}({{ column }}) as {{ dbt.type_timestamp() }}) as expected_value
        from {{ ref(base) }}
        where quarantine_reason is null
        group by 1, 2
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

kept as (
    {% for base, stg, key, agg, column in tables %}
        select
            '{{ stg }}' as model_name,
            cast({{ key }} as {{ dbt.type_string() }}) as key_value,
            count(*) as n_rows,
            cast({{ agg }}({{ column }}) as {{ dbt.type_timestamp() }}) as kept_value
        from {{ ref(stg) }}
        group by 1, 2
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        coalesce(expected.model_name, kept.model_name) as model_name,
        coalesce(expected.key_value, kept.key_value) as key_value,
        coalesce(kept.n_rows, 0) as n_rows,
        expected.expected_value,
        kept.kept_value
    from expected
    full outer join kept
        on
            expected.model_name = kept.model_name
            and expected.key_value = kept.key_value
    where
        expected.key_value is null
        or kept.key_value is null
        or kept.n_rows <> 1
        or not (
            kept.kept_value = expected.expected_value
            or (kept.kept_value is null and expected.expected_value is null)
        )
)

select * from final
