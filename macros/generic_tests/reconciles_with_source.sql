{% test reconciles_with_source(model, stg_model, base_model, quarantine_model, duplicate_column='is_duplicate') %}
{#-
    CONTRACT.md section 4: raw rows = valid rows + duplicates removed + quarantined rows.
    Applied to a source table (model = the raw table). Returns one row, with
    the counts, when the equation does not hold.
-#}
with raw_rows as (
    select count(*) as n from {{ model }}
),

valid_rows as (
    select count(*) as n from {{ stg_model }}
),

duplicate_rows as (
    select count(*) as n
    from {{ base_model }}
    where {{ duplicate_column }}
),

quarantined_rows as (
    select count(*) as n from {{ quarantine_model }}
),

final as (
    select
        raw_rows.n as raw_rows,
        valid_rows.n as valid_rows,
        duplicate_rows.n as duplicate_rows,
        quarantined_rows.n as quarantined_rows,
        raw_rows.n - valid_rows.n - duplicate_rows.n - quarantined_rows.n as unexplained_rows
    from raw_rows
    cross join valid_rows
    cross join duplicate_rows
    cross join quarantined_rows
)

select * from final
where unexplained_rows <> 0
{% endtest %}
