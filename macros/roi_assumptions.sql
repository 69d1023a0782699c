{#- The roi_assumptions seed as the value models read it. Arguments: macros/_macros__roi_assumptions.yml. -#}

{% macro deflected_ticket_price(relation='roi_assumptions') -%}
    {#- One row: the price of a deflected ticket, the support_automation row's cost_per_ticket_usd. -#}
    select max(cost_per_ticket_usd) as deflection_cost_per_ticket_usd
    from {{ relation }}
    where workflow = 'support_automation'
{%- endmacro %}


{% macro roi_assumption_columns() -%}
    {#- The five roi_assumptions values a value row used, as double precision. -#}
    cast(baseline_minutes_per_case as {{ type_double() }})
            as baseline_minutes_per_case,
        cast(ai_minutes_per_case as {{ type_double() }}) as ai_minutes_per_case,
        cast(review_minutes_per_case as {{ type_double() }})
            as review_minutes_per_case,
        cast(loaded_hourly_cost_usd as {{ type_double() }})
            as loaded_hourly_cost_usd,
        cast(deflection_cost_per_ticket_usd as {{ type_double() }})
            as deflection_cost_per_ticket_usd
{%- endmacro %}
