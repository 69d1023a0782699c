{#-
    Casts of free text (e.g. values extracted from JSON) that return null instead of failing.
    Cross-database (adapter.dispatch: default__ = Postgres, duckdb__ = DuckDB); documented in
    macros/_macros__json.yml.

    A text is numeric when, after trimming spaces, it is a plain decimal number: optional sign,
    at most 21 integer digits, any number of fraction digits, an optional exponent from -30 to
    +20 ("12", "-3.5", ".5", "5.", "1e3", "1.5E-07"), and not a non-zero plain fraction below
    1e-30 (30 or more zeros after the point). The bounds keep every accepted value inside the
    double range (so the cast cannot fail) and give one answer for a JSON number on both
    warehouses, whichever text each prints for it (Postgres plain digits, DuckDB an exponent from
    1e21 and below 1e-6): |x| >= 1e21 and 0 < |x| < 1e-30 are not numbers. NaN/Infinity, hex,
    thousands separators and the empty string are not numeric.
    A text is integral when it is an integer of at most 18 digits, optionally followed by a
    fraction of zeros ("12", "-7", "12.0", "12."), so it always fits a bigint.
-#}

{% macro _numeric_text_pattern(integral=false) -%}
    {%- if integral -%}
        {{ return('^[+-]?[0-9]{1,18}([.]0*)?$') }}
    {%- else -%}
        {{ return('^[+-]?([0-9]{1,21}([.][0-9]*)?|[.][0-9]+)([eE]([+]?0*([0-9]|1[0-9]|20)|-0*([0-9]|[12][0-9]|30)))?$') }}
    {%- endif -%}
{%- endmacro %}


{#- A non-zero plain fraction below 1e-30: not a number (Postgres prints 1e-40 as 0.000...1). -#}
{% macro _tiny_fraction_pattern() -%}
    {{ return('^[+-]?0*[.]0{30,}[0-9]*[1-9]') }}
{%- endmacro %}

{#- SQL true unless the text is such a fraction; the regex runs only where 30 zeros follow a point. -#}
{% macro _not_tiny_fraction(expr) -%}
    case
        when {{ text_position(expr, "'.000000000000000000000000000000'") }} > 0
            then not {{ regex_full_match('trim(' ~ expr ~ ')', _tiny_fraction_pattern() ~ '[0-9]*$') }}
        else true
    end
{%- endmacro %}


{#- text_position(text, search): 1-based position of the first `search` in `text`, 0 when absent (Spark: instr). -#}
{% macro text_position(text, search) -%}
    {{ return(adapter.dispatch('text_position', 'ai_ops')(text, search)) }}
{%- endmacro %}

{% macro default__text_position(text, search) -%}
    {{ return('strpos(' ~ text ~ ', ' ~ search ~ ')') }}
{%- endmacro %}

{% macro spark__text_position(text, search) -%}
    {{ return('instr(' ~ text ~ ', ' ~ search ~ ')') }}
{%- endmacro %}


{#- is_numeric_text(expr, integral=false): true when the text is a number (see above; with      -#}
{#- integral=true, an integer that fits a bigint); false otherwise, also for null.               -#}
{% macro is_numeric_text(expr, integral=false) -%}
    {{ return(adapter.dispatch('is_numeric_text', 'ai_ops')(expr, integral)) }}
{%- endmacro %}

{% macro default__is_numeric_text(expr, integral=false) -%}
    (coalesce(trim({{ expr }}) ~ '{{ _numeric_text_pattern(integral) }}', false)
    {%- if not integral %} and {{ _not_tiny_fraction(expr) }}{% endif %})
{%- endmacro %}

{% macro spark__is_numeric_text(expr, integral=false) -%}
    (coalesce({{ regex_full_match('trim(' ~ expr ~ ')', _numeric_text_pattern(integral)) }}, false)
    {%- if not integral %} and {{ _not_tiny_fraction(expr) }}{% endif %})
{%- endmacro %}

{% macro duckdb__is_numeric_text(expr, integral=false) -%}
    (coalesce(regexp_full_match(trim({{ expr }}), '{{ _numeric_text_pattern(integral) }}'), false)
    {%- if not integral %} and {{ _not_tiny_fraction(expr) }}{% endif %})
{%- endmacro %}


{#- safe_to_double(expr): double precision when is_numeric_text(expr), else null. -#}
{% macro safe_to_double(expr) -%}
    {{ return(adapter.dispatch('safe_to_double', 'ai_ops')(expr)) }}
{%- endmacro %}

{% macro default__safe_to_double(expr) -%}
    case when {{ is_numeric_text(expr) }} then cast(trim({{ expr }}) as {{ type_double() }}) end
{%- endmacro %}


{#- safe_to_bigint(expr): bigint when the text is integral ("12", "12.0"), else null        -#}
{#- ("12.5", "1e3", 19+ digits, non-numbers): never rounds, so both warehouses agree.        -#}
{% macro safe_to_bigint(expr) -%}
    {{ return(adapter.dispatch('safe_to_bigint', 'ai_ops')(expr)) }}
{%- endmacro %}

{% macro default__safe_to_bigint(expr) -%}
    case
        when {{ is_numeric_text(expr, integral=true) }}
            then cast(split_part(trim({{ expr }}), '.', 1) as bigint)
    end
{%- endmacro %}


{#- safe_to_integer(expr): integer when the text is integral and within the integer range, else null. -#}
{% macro safe_to_integer(expr) -%}
    {{ return(adapter.dispatch('safe_to_integer', 'ai_ops')(expr)) }}
{%- endmacro %}

{% macro default__safe_to_integer(expr) -%}
    {#- nested case: Postgres does not promise to evaluate the conditions of an `and` in order -#}
    case
        when {{ is_numeric_text(expr, integral=true) }}
            then case
                when abs(cast(split_part(trim({{ expr }}), '.', 1) as bigint)) <= 2147483647
                    then cast(split_part(trim({{ expr }}), '.', 1) as integer)
            end
    end
{%- endmacro %}
