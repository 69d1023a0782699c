{#-
    One row per valid span and attribute named in the otel_attribute_map seed, from the span's
    own attributes and from its resource: the values the attribute map can pick for a span's
    conversation, user, session, workflow, versions, arm, consent and intent. Only mapped keys
    are read, and valid spans' attributes hold no content (base_otel__spans removed it).

    The attributes are parsed here a second time: base_otel__spans's one parse reads a fixed
    key list (otel_span_keys) on DuckDB and Postgres, while the keys kept here come from the
    otel_attribute_map seed, which no compile-time list follows. Reading a stored parse instead
    would add a per-target map column (DuckDB MAP, Postgres jsonb, Spark map) to that
    incremental table: a schema change that needs a full refresh.
-#}

with

base_spans as (

    select * from {{ ref('base_otel__spans') }}

),

attribute_map as (

    select * from {{ ref('otel_attribute_map') }}

),

valid_spans as (

    select
        span_id,
        trace_id,
        span_attributes,
        resource_attributes
    from base_spans
    where {{ valid_row_condition() }}

),

span_entries as (

    select
        valid_spans.span_id,
        valid_spans.trace_id,
        'span' as attribute_source,
        span_entry.key as attribute_key,
        {{ json_entry_value('span_entry') }} as attribute_value
    from valid_spans
    cross join {{ json_object_entries('valid_spans.span_attributes', 'span_entry') }}

),

resource_entries as (

    -- resource_attributes is a JSON object or null on valid rows (section-4 rules)
    select
        valid_spans.span_id,
        valid_spans.trace_id,
        'resource' as attribute_source,
        resource_entry.key as attribute_key,
        {{ json_entry_value('resource_entry') }} as attribute_value
    from valid_spans
    cross join {{ json_object_entries('valid_spans.resource_attributes', 'resource_entry') }}
    where valid_spans.resource_attributes is not null

),

entries as (

    select * from span_entries
    union all
    select * from resource_entries

),

mapped as (

    -- blank values never win: the next key or place is tried
    select
        entries.span_id,
        entries.trace_id,
        entries.attribute_source,
        entries.attribute_key,
        trim(entries.attribute_value) as attribute_value
    from entries
    where
        entries.attribute_key in (select attribute_map.attribute_key from attribute_map)
        and trim(entries.attribute_value) <> ''

)

select * from mapped
