{#-
    Quarantine, dedupe and split: the one mechanism every base_/stg_/quarantine_
    model uses (CONTRACT.md section 4).

    base_<source>__<table>      every raw row, typed, plus
                                quarantine_reason  {{ quarantine_reason(rules) }}
                                is_duplicate       {{ is_duplicate(keys, strategy) }}
    stg_<source>__<entity>s     where {{ valid_row_condition() }}
    quarantine_<source>__<table> where {{ quarantined_row_condition() }}

    The macros only emit portable SQL (case, row_number, nulls last), so they
    need no adapter.dispatch.
-#}

{% macro quarantine_reason(rules) -%}
    {#-
        A CASE expression giving the reason a row is quarantined, or null.
        rules: list of (condition, reason) pairs, or of dicts
        {'when': condition, 'reason': reason} ({'when': ..., 'reason_sql': expr}: the
        reason is the value of a SQL text expression). condition is SQL that is TRUE
        when the row is INVALID; reason is plain text. The first rule whose
        condition is true wins; a condition that evaluates to null does not
        fire (write `col is null` explicitly when a missing value is invalid).
    -#}
    {%- if rules | length == 0 -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        case
        {%- for rule in rules %}
            {%- if rule is mapping %}
                {%- set condition = rule['when'] %}
                {%- set reason_sql = rule['reason_sql'] if 'reason_sql' in rule else quote_text(rule['reason']) %}
            {%- else %}
                {%- set condition = rule[0] %}
                {%- set reason_sql = quote_text(rule[1]) %}
            {%- endif %}
            when {{ condition }}
                then cast({{ reason_sql }} as {{ dbt.type_string() }})
        {%- endfor %}
            else cast(null as {{ dbt.type_string() }})
        end
    {%- endif -%}
{%- endmacro %}


{% macro quote_text(value) -%}
    {#- A SQL string literal, single quotes escaped. -#}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}


{% macro is_missing(column) -%}
    {#- True when a text column is null or blank. -#}
    ({{ column }} is null or trim({{ column }}) = '')
{%- endmacro %}


{% macro missing_rule(column) -%}
    {#- The (condition, reason) rule "column is null or blank" -> 'missing <column>'. -#}
    {%- do return((is_missing(column), 'missing ' ~ column)) -%}
{%- endmacro %}


{% macro bad_cell_rule(reason_column='bad_cell_reason') -%}
    {#- The rule "a raw cell could not be read" (read_raw_columns); its reason names the cell. -#}
    {%- do return({'when': reason_column ~ ' is not null', 'reason_sql': reason_column}) -%}
{%- endmacro %}


{% macro null_rule(column) -%}
    {#- The (condition, reason) rule "column is null" -> 'missing <column>' (non-text columns). -#}
    {%- do return((column ~ ' is null', 'missing ' ~ column)) -%}
{%- endmacro %}


{% macro before_rule(later_column, earlier_column) -%}
    {#- The rule "later_column < earlier_column" -> '<later> before <earlier>'; nulls never fire. -#}
    {%- do return((later_column ~ ' < ' ~ earlier_column, later_column ~ ' before ' ~ earlier_column)) -%}
{%- endmacro %}


{% macro negative_rule(column) -%}
    {#- The rule "column < 0" -> 'negative <column>'; nulls never fire. -#}
    {%- do return((column ~ ' < 0', 'negative ' ~ column)) -%}
{%- endmacro %}


{% macro unknown_value_rule(column, values, allow_null=false) -%}
    {#- The rule "lower(trim(column)) not among values" -> 'unknown <column>'; a null fires unless allow_null. -#}
    {%- set quoted = [] -%}
    {%- for value in values %}{% do quoted.append(quote_text(value)) %}{% endfor -%}
    {%- set condition = normalize_enum(column) ~ ' not in (' ~ quoted | join(', ') ~ ')' -%}
    {%- if not allow_null %}{% set condition = 'coalesce(' ~ condition ~ ', true)' %}{% endif -%}
    {%- do return((condition, 'unknown ' ~ column)) -%}
{%- endmacro %}


{% macro dedupe_order_by(strategy, updated_at=none, loaded_at='loaded_at', tiebreakers=[]) -%}
    {#-
        The ORDER BY of the dedupe window: the first row wins.
        append_only:  earliest loaded_at wins.
        latest_state: latest updated_at wins (rows without updated_at lose to
                      rows with one); ties and tables without updated_at fall
                      back to the latest loaded_at.
        tiebreakers: columns ordered ascending (nulls last) after that, so that
        copies loaded at the same instant resolve the same way on every run.
    -#}
    {%- if strategy == 'append_only' -%}
        {{ loaded_at }} asc nulls last
    {%- elif strategy == 'latest_state' -%}
        {%- if updated_at is not none -%}{{ updated_at }} desc nulls last, {% endif -%}
        {{ loaded_at }} desc nulls last
    {%- else -%}
        {{ exceptions.raise_compiler_error("dedupe_order_by: strategy must be 'append_only' or 'latest_state', got '" ~ strategy ~ "'") }}
    {%- endif -%}
    {%- for column in tiebreakers -%}, {{ column }} asc nulls last{%- endfor -%}
{%- endmacro %}


{% macro dedupe_rank(key_columns, strategy, updated_at=none, reason_column='quarantine_reason', tiebreakers=[]) -%}
    {#-
        row_number() of a row among the rows sharing its key; valid and
        quarantined rows are ranked apart, so a quarantined row never wins over
        (or loses to) a valid one. 1 = the row that is kept.
        key_columns: a column name or a list of them.
    -#}
    {%- set keys = [key_columns] if key_columns is string else key_columns -%}
    row_number() over (
            partition by
                {{ keys | join(', ') }},
                case when {{ reason_column }} is null then 0 else 1 end
            order by {{ dedupe_order_by(strategy, updated_at, tiebreakers=tiebreakers) }}
        )
{%- endmacro %}


{% macro is_duplicate(key_columns, strategy, updated_at=none, reason_column='quarantine_reason', tiebreakers=[]) -%}
    {#- True for a valid row that lost the dedupe (never null, false for quarantined rows). -#}
    ({{ reason_column }} is null
        and {{ dedupe_rank(key_columns, strategy, updated_at, reason_column, tiebreakers) }} > 1)
{%- endmacro %}


{% macro valid_row_condition(reason_column='quarantine_reason', duplicate_column='is_duplicate') -%}
    {#- WHERE condition of a stg_ model: valid and not a duplicate. -#}
    {{ reason_column }} is null and not {{ duplicate_column }}
{%- endmacro %}


{% macro quarantined_row_condition(reason_column='quarantine_reason') -%}
    {#- WHERE condition of a quarantine_ model. -#}
    {{ reason_column }} is not null
{%- endmacro %}


{% macro normalize_enum(column) -%}
    {#- Enum value lower-cased and trimmed; blank becomes null. Unknown values are kept. -#}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}


{% macro clean_text(column) -%}
    {#- Free-form label trimmed; blank becomes null. -#}
    nullif(trim({{ column }}), '')
{%- endmacro %}


{% macro base_materialization() -%}
    {#-
        How a base_ model (typed raw rows + quarantine_reason + the dedupe window) is stored: a
        table on both warehouses. Every stg_ and quarantine_ view and a dozen data tests read it;
        as a view the dedupe window ran once per reader (at 10 M events about 15 tests of 2 s
        each on support_tickets, users and agent_steps, and 15.6 s for the dedupe test alone).
        On Postgres the table also gives the planner column statistics: on a view it could not
        estimate `quarantine_reason is null and not is_duplicate` (it guessed 334 of 270,000
        rows and chose a nested-loop anti join: 216 s for one relationships test at 1 M events).
    -#}
    {{ return('table') }}
{%- endmacro %}
