{% test rows_satisfy_all(model, rules) %}
{#-
    Several row-level rules checked in ONE scan of the model: on a table of tens of millions of
    rows, one not_null or accepted_values test per column would read it once per test.
    rules: mapping rule name -> SQL condition that is true on a good row (false or null fails).
    Returns one row per broken rule: `rule_name` and `failing_rows`.
-#}
{%- if rules is not mapping or rules | length == 0 -%}
    {{ exceptions.raise_compiler_error("rows_satisfy_all: rules must be a non-empty mapping of name -> condition") }}
{%- endif -%}
with

counts as (
    select
        {%- for name, condition in rules.items() %}
        sum(case when coalesce(({{ condition }}), false) then 0 else 1 end) as rule_{{ loop.index }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
),

failures as (
    {%- for name in rules %}
    select
        {{ quote_text(name) }} as rule_name,
        rule_{{ loop.index }} as failing_rows
    from counts
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from failures
where failing_rows > 0
{% endtest %}
