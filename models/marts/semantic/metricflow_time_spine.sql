{#-
    One row per day from 2020-01-01 to 2039-12-31: the time spine MetricFlow
    (the dbt semantic layer) joins metric_time to. Generated from a number
    series (dbt.date_spine), without warehouse-only functions.
-#}

with

days as (

    {{ dbt.date_spine(
        'day',
        "cast('2020-01-01' as date)",
        "cast('2040-01-01' as date)",
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
