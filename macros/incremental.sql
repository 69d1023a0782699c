{% macro incremental_watermark(column='loaded_at', relation=none) -%}
    {#-
        The newest `column` already in the incremental model (`this` unless `relation` is
        given), or 1900-01-01 when it holds no row yet: `column > watermark` selects the new rows.
    -#}
    coalesce(
        (select max({{ column }}) from {{ relation if relation is not none else this }}),
        cast('1900-01-01 00:00:00' as timestamp)
    )
{%- endmacro %}
