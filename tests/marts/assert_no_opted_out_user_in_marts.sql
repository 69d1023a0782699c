{#-
    Consent: no mart row may carry an opted-out user's user_id, or the user_key
    that user would have had. Scans every text column of every model under
    models/marts/ that exists in the warehouse (found through the graph, so new
    marts are checked without editing this test). Returns the offending
    model, column and the count of offending rows, never the value itself.
-#}
{%- set user_key_salt = var('user_key_salt', 'ai_ops_user_key_salt') -%}
{%- set salted_user_key = dbt.hash(dbt.concat([
    "'" ~ (user_key_salt | replace("'", "''")) ~ "'",
    'user_id',
])) -%}
-- depends_on: {{ ref('fct_ai_conversations') }}
-- depends_on: {{ ref('fct_ai_responses') }}
-- depends_on: {{ ref('dim_ai_users') }}
-- depends_on: {{ ref('ai_adoption_weekly') }}
-- depends_on: {{ ref('ai_business_correlation') }}
-- depends_on: {{ ref('ai_metric_alerts') }}
-- depends_on: {{ ref('ops_metrics') }}
-- depends_on: {{ ref('experiment_comparison') }}
-- depends_on: {{ ref('roi_monthly') }}

{%- set checks = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.fqn[1] == 'marts' -%}
        {%- set relation = adapter.get_relation(
            database=node.database, schema=node.schema, identifier=node.alias
        ) -%}
        {%- if relation is not none -%}
            {%- for column in adapter.get_columns_in_relation(relation)
                if column.is_string() -%}
                {#- one target a line, as SQLFluff lints the rendered checks -#}
                {%- do checks.append(
                    "select\n        '" ~ node.name ~ "' as model_name,\n        '"
                    ~ column.name ~ "' as column_name,\n        count(*) as n_rows\n    from "
                    ~ relation ~ "\n    where " ~ adapter.quote(column.name)
                    ~ " in (select forbidden_value from forbidden_values)"
                ) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with

users as (

    select * from {{ ref('int_users_consented') }}

),

forbidden_values as (

    select user_id as forbidden_value
    from users
    where is_opted_out

    union all

    select {{ salted_user_key }} as forbidden_value
    from users
    where is_opted_out

),

hits as (

    {% for check in checks -%}
    {{ check }}
    {% if not loop.last %}union all
    {% endif -%}
    {%- else -%}
        select
            cast(null as {{ dbt.type_string() }}) as model_name,
            cast(null as {{ dbt.type_string() }}) as column_name,
            count(*) as n_rows
        from forbidden_values
        where 1 = 0
    {%- endfor %}

)

select * from hits
where n_rows > 0
