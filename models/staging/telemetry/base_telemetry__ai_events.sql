{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        schema='quarantine',
    )
}}

{#-
    Every raw ai_events row: `properties` parsed ONCE into typed columns, the first failing
    quarantine rule (`quarantine_reason`, null when valid), the dedupe flag (`is_duplicate`) and
    the free text redacted ONCE. stg_telemetry__ai_events is a view of its valid, non-duplicate
    rows, so the event table is written once per run, not twice. Lives in the restricted
    quarantine schema because `properties` keeps the raw text of the rows that quarantine or
    warn (quarantine_telemetry__ai_events and ..._parse_warnings read it); the rows that parse
    cleanly keep theirs in raw only: writing 3 GB of JSON text again per 10 M events was the
    largest single cost of the build (docs/benchmarks.md).

    Incremental (append, docs/INCREMENTAL.md): a run parses only the raw rows loaded after the
    newest stored loaded_at (plus raw rows with a null loaded_at not stored yet); a stored row
    never changes. A new valid copy of an event_id that already has a valid row here is a
    duplicate (that row was loaded earlier, so it wins, as in a full refresh).

    The CTEs up to quarantine_rules are `not_materialized()`: the single- and multiple-copy
    branches both read them, and DuckDB would otherwise store all 10 M typed rows once more and
    scan them twice (about 25 s of CPU at 10 M events); inlined, the multiple-copy branch filters
    on has_copies before the parse, so every row is still parsed once.
-#}

{%- set property_keys = [
    'workflow',
    'model_version',
    'prompt_version',
    'feature_flag_state',
    'consent_analytics',
    'prompt_number',
    'intent_label',
    'model_used',
    'prompt_text',
    'response_status',
    'error_type',
    'latency_ms',
    'input_tokens',
    'output_tokens',
    'cost_usd',
    'response_text',
    'action_type',
    'conversion_flag',
    'rating',
    'feedback',
] -%}

{#- Numeric keys in the order their `non-numeric` / `non-integer` warnings are checked. -#}
{%- set numeric_keys = [
    'prompt_number', 'latency_ms', 'input_tokens', 'output_tokens', 'cost_usd', 'rating',
] -%}
{%- set integer_keys = ['prompt_number', 'input_tokens', 'output_tokens', 'rating'] -%}
{%- set negative_checked_keys = ['latency_ms', 'input_tokens', 'output_tokens', 'cost_usd'] -%}
{%- set known_event_names = [
    'ai_user_prompt_created', 'ai_llm_response_received', 'ai_user_action',
] -%}

{%- set raw_columns = [
    'event_id', 'event_name', 'occurred_at', 'loaded_at',
    'conversation_id', 'user_id', 'session_id', 'properties',
] -%}

with

source as {{ not_materialized() }} (

    select
        {{ raw_columns | join(',\n        ') }}
    from {{ source('telemetry', 'ai_events') }}
    {% if is_incremental() %}
        where loaded_at > {{ incremental_watermark('loaded_at') }}

        -- no watermark can place a null loaded_at: take the raw rows not stored yet (as a multiset)
        union all

        select
            {{ raw_columns | join(',\n            ') }}
        from (
            select
                {{ raw_columns | join(',\n                ') }}
            from {{ source('telemetry', 'ai_events') }}
            where loaded_at is null
            except all
            select
                {{ raw_columns | join(',\n                ') }}
            from {{ this }}
            where loaded_at is null
        ) as unseen_null_loaded_at
    {% endif %}

),

event_ids_with_copies as (

    -- only event_ids with more than one raw row can hold a duplicate: the dedupe window runs on
    -- their rows alone instead of sorting every event. Counted over the whole raw table, so on an
    -- incremental run a new copy of an event_id stored earlier is found too.
    select raw_events.event_id
    from {{ source('telemetry', 'ai_events') }} as raw_events
    {% if is_incremental() %}
        where raw_events.event_id in (select source.event_id from source)
    {% endif %}
    group by raw_events.event_id
    having count(*) > 1

),

flagged_source as {{ not_materialized() }} (

    select
        source.*,
        event_ids_with_copies.event_id is not null as has_copies
    from source
    left join event_ids_with_copies
        on source.event_id = event_ids_with_copies.event_id

),

parsed as {{ not_materialized() }} (

    -- the only JSON parse: all keys at once, as one list of text (null when not a JSON object)
    select
        *,
        {{ json_extract_fields('properties', property_keys) }} as property_values
    from flagged_source
    -- keeps Postgres from copying the parse into each of the 20 keys read below
    {{ inline_barrier() }}

),

extracted as {{ not_materialized() }} (

    select
        -- the raw columns through casts that cannot fail: an unreadable cell sets bad_cell_reason
        {{ read_raw_columns('telemetry', 'ai_events') }},
        has_copies,
        {%- for key in property_keys %}
        {{ json_field('property_values', property_keys, key) }} as property_{{ key }},  -- noqa
        {%- endfor %}
        property_values is not null as is_properties_object
    from parsed

),

typed as {{ not_materialized() }} (

    select
        ---------- raw columns, as they came
        event_id,
        event_name,
        occurred_at,
        loaded_at,
        conversation_id,
        user_id,
        session_id,
        properties,
        is_properties_object,
        has_copies,
        bad_cell_reason,

        ---------- strings (enums lower-cased and trimmed, versions trimmed, free text as is)
        {{ normalize_enum('event_name') }} as event_name_normalized,
        {{ normalize_enum('property_workflow') }} as workflow,
        {{ clean_text('property_model_version') }} as model_version,
        {{ clean_text('property_prompt_version') }} as prompt_version,
        {{ normalize_enum('property_feature_flag_state') }} as feature_flag_state,
        {{ normalize_enum('property_intent_label') }} as intent_label,
        {{ clean_text('property_model_used') }} as model_used,
        {{ normalize_enum('property_response_status') }} as response_status,
        {{ normalize_enum('property_error_type') }} as error_type,
        {{ normalize_enum('property_action_type') }} as action_type,
        property_prompt_text as prompt_text,
        property_response_text as response_text,
        property_feedback as feedback,

        ---------- numerics (null when missing or not a number; *_number feeds the rules)
        {%- for key in numeric_keys %}
        {{ safe_to_double('property_' ~ key) }} as {{ key }}_number,  -- noqa: LT02
        {%- endfor %}
        {{ safe_to_integer('property_prompt_number') }} as prompt_number,
        {{ safe_to_bigint('property_input_tokens') }} as input_tokens,
        {{ safe_to_bigint('property_output_tokens') }} as output_tokens,
        {{ safe_to_integer('property_rating') }} as rating,

        ---------- presence of the numeric keys, for the non-numeric warnings
        {%- for key in numeric_keys %}
        property_{{ key }} is not null as has_{{ key }},  -- noqa: LT02
        {%- endfor %}

        ---------- booleans (true/false or "true"/"false"; anything else is unknown)
        {{ json_to_boolean('property_consent_analytics') }} as consent_analytics,
        {{ json_to_boolean('property_conversion_flag') }} as conversion_flag

    from extracted
    -- the parsed numbers are read by several rules: cast them once on Postgres too
    {{ inline_barrier() }}

),

quarantine_rules as {{ not_materialized() }} (

    -- first failing rule wins; the order is documented in ai_quarantine_reason
    {%- set rules = [
        bad_cell_rule(),
        missing_rule('event_id'),
        missing_rule('conversation_id'),
        null_rule('occurred_at'),
        (
            "event_name_normalized is null or event_name_normalized not in ('"
            ~ known_event_names | join("', '") ~ "')",
            'unknown event_name',
        ),
        ('properties is null', 'properties is null'),
        ('not is_properties_object', 'properties is not a json object'),
    ] -%}
    {%- for key in negative_checked_keys -%}
        {%- do rules.append((key ~ '_number < 0', 'negative ' ~ key)) -%}
    {%- endfor -%}
    {%- do rules.append((
        'occurred_at > ' ~ dbt.dateadd('day', 1, 'loaded_at'),
        'occurred_at more than 1 day after loaded_at',
    )) %}
    {#-
        A value that is present but not a number (e.g. "fast", an object) or not a whole number in
        an integer key does not make the row invalid (CONTRACT.md section 4 lists what does): the
        column is null and `parse_warning` says why, so nothing is lost silently.
    -#}
    {%- set warning_rules = [] -%}
    {%- for key in numeric_keys -%}
        {%- do warning_rules.append((
            'has_' ~ key ~ ' and ' ~ key ~ '_number is null',
            'non-numeric ' ~ key,
        )) -%}
    {%- endfor -%}
    {%- for key in integer_keys -%}
        {%- do warning_rules.append((
            key ~ '_number is not null and ' ~ key ~ ' is null',
            'non-integer ' ~ key,
        )) -%}
    {%- endfor %}
    select
        *,
        {{ quarantine_reason(rules) }} as quarantine_reason,
        {{ quarantine_reason(warning_rules) }} as parse_warning
    from typed

),

single_copies as (

    select
        *,
        false as is_duplicate
    from quarantine_rules
    where not has_copies

),

multiple_copies as (

    -- among valid rows of one event_id the earliest loaded_at wins; ties broken deterministically;
    -- on an incremental run a valid row already stored was loaded earlier and wins
    select
        *,
        quarantine_reason is null
        and (
            {% if is_incremental() %}
                event_id in (
                    select loaded_before.event_id from {{ this }} as loaded_before
                    where loaded_before.quarantine_reason is null
                )
                or
            {% endif %}
            row_number() over (
                partition by event_id, quarantine_reason is null
                order by
                    loaded_at asc nulls last,
                    occurred_at asc nulls last,
                    conversation_id asc nulls last,
                    user_id asc nulls last,
                    session_id asc nulls last,
                    event_name asc nulls last,
                    properties asc nulls last
            ) > 1
        ) as is_duplicate
    from quarantine_rules
    where has_copies

),

deduplicated as (

    select * from single_copies
    union all
    select * from multiple_copies

),

redacted as (

    -- each text is redacted once (redact_pii runs its rule chain only where has_pii matches);
    -- the flags compare the result with the original: measured as cheap as reusing has_pii
    select
        *,
        {{ redact_pii('prompt_text') }} as redacted_prompt_text,
        {{ redact_pii('response_text') }} as redacted_response_text,
        {{ redact_pii('feedback') }} as redacted_feedback
    from deduplicated
    -- keeps Postgres from running each redaction twice (text and flag)
    {{ inline_barrier() }}

),

final as (

    select
        ---------- ids
        event_id,
        conversation_id,
        user_id,
        session_id,

        ---------- raw text, as it came (properties only where a quarantine model shows it, and
        ---------- where a null loaded_at makes the incremental run compare raw rows as a whole)
        event_name,
        case
            when
                quarantine_reason is not null
                or parse_warning is not null
                or loaded_at is null
                then properties
        end as properties,

        ---------- strings
        event_name_normalized,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        intent_label,
        model_used,
        response_status,
        error_type,
        action_type,
        redacted_prompt_text as prompt_text,
        redacted_response_text as response_text,
        redacted_feedback as feedback,

        ---------- numerics
        prompt_number,
        latency_ms_number as latency_ms,
        input_tokens,
        output_tokens,
        cost_usd_number as cost_usd,
        rating,

        ---------- booleans
        consent_analytics,
        conversion_flag,
        is_duplicate,
        coalesce(redacted_prompt_text <> prompt_text, false) as is_prompt_text_redacted,
        coalesce(redacted_response_text <> response_text, false) as is_response_text_redacted,
        coalesce(redacted_feedback <> feedback, false) as is_feedback_redacted,

        ---------- timestamps
        occurred_at,
        loaded_at,

        ---------- quarantine
        quarantine_reason,
        parse_warning

    from redacted

)

select * from final
