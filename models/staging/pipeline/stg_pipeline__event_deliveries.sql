with base as (

    select * from {{ ref('base_pipeline__event_deliveries') }}

),

valid as (

    select * from base
    where {{ valid_row_condition() }}

),

renamed as (

    select
        -- ids
        delivery_id,
        event_id,
        -- strings
        {{ normalize_enum('destination') }} as destination,
        {{ normalize_enum('destination_class') }} as destination_class,
        {{ normalize_enum('payload_kind') }} as payload_kind,
        {{ normalize_enum('outcome') }} as outcome,
        {{ normalize_enum('block_reason') }} as block_reason,
        {{ clean_text('policy_version') }} as policy_version,
        -- booleans
        requires_consent,
        -- timestamps
        routed_at,
        loaded_at
    from valid

)

select * from renamed
