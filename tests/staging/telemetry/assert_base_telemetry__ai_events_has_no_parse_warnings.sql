{{ config(severity='warn') }}

-- Reports (as a warning) valid or quarantined rows in which a numeric value of `properties` could
-- not be read ("fast", an object, 12.5 tokens...). Such a row stays valid with a null column
-- (CONTRACT.md section 4 does not make it invalid); this test keeps the loss visible.

select
    event_id,
    parse_warning
from {{ ref('base_telemetry__ai_events') }}
where parse_warning is not null
