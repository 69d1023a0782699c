-- The safety metrics of ops_metrics (CONTRACT.md version 2, bucket
-- governance) from the event pipeline's routing log: consent honoured,
-- every event audited, sensitive payloads stopped, raw text never sent to an
-- external tool. Overall segment, week and month grains, one CTE per key
-- (formulas: seeds/metric_catalog.csv). `value` is a contract column (RF04).
-- noqa: disable=RF04

with

deliveries as (
    select * from {{ ref('stg_pipeline__event_deliveries') }}
),

events as (
    select * from {{ ref('int_ai_events_unioned') }}
),

users as (
    select * from {{ ref('stg_app__users') }}
),

metric_periods as (
    select * from {{ ref('int_metric_periods') }}
),

-- consent_enforcement_rate: consent-required deliveries of valid events,
-- without those another control (sensitive content, policy) blocked
consent_deliveries as (
    select
        deliveries.routed_at,
        case
            when
                coalesce(
                    events.consent_analytics, users.consent_analytics, false
                )
                then deliveries.outcome in ('delivered', 'failed')
            else deliveries.outcome = 'blocked'
        end as is_consent_matched
    from deliveries
    inner join events
        on deliveries.event_id = events.event_id
    left join users
        on events.user_id = users.user_id
    where
        deliveries.requires_consent
        and not (
            deliveries.outcome = 'blocked'
            and deliveries.block_reason in ('sensitive_content', 'policy')
        )
),

-- audit_completeness: every valid event, with or without a delivery row
delivered_event_ids as (
    select distinct event_id from deliveries
    where event_id is not null
),

audited_events as (
    select
        events.occurred_at,
        delivered_event_ids.event_id is not null as has_delivery
    from events
    left join delivered_event_ids
        on events.event_id = delivered_event_ids.event_id
),

-- the two counts: deliveries flagged, then summed over every spine period
-- (0 where nothing matched) and any period outside it with a match
flagged_deliveries as (
    select
        routed_at,
        case
            when
                outcome = 'blocked' and block_reason = 'sensitive_content'
                then event_id
        end as sensitive_blocked_event_id,
        case
            when
                outcome = 'delivered'
                and destination_class = 'external'
                and payload_kind = 'raw'
                then 1
            else 0
        end as is_raw_text_external
    from deliveries
),

consent_counts as (
    {{ period_segment_rollup(
        'consent_deliveries', time_column='routed_at',
        measures={
            'n_deliveries': 'count(*)',
            'n_matched': 'sum(case when is_consent_matched then 1 else 0 end)',
        },
    ) }}
),

audit_counts as (
    {{ period_segment_rollup(
        'audited_events', time_column='occurred_at',
        measures={
            'n_events': 'count(*)',
            'n_audited': 'sum(case when has_delivery then 1 else 0 end)',
        },
    ) }}
),

-- the flagged deliveries by period, and every spine period with nothing
-- flagged: a period of the spine counts 0, not missing
flag_rows as (
    select
        period_grain,
        period_start,
        sensitive_blocked_event_id,
        is_raw_text_external
    from ({{ expand_to_periods('flagged_deliveries', 'routed_at') }})
        as periodized
    union all
    select
        period_grain,
        period_start,
        cast(null as {{ dbt.type_string() }}) as sensitive_blocked_event_id,
        0 as is_raw_text_external
    from metric_periods
),

period_counts as (
    {{ period_segment_rollup(
        'flag_rows',
        measures={
            'n_sensitive_blocked': 'count(distinct sensitive_blocked_event_id)',
            'n_raw_text_external': 'sum(is_raw_text_external)',
        },
    ) }}
),

-- one CTE per metric key

consent_enforcement_rate as (
    {{ metric_row(
        'consent_enforcement_rate', 'consent_counts',
        numerator='n_matched', denominator='n_deliveries',
    ) }}
),

audit_completeness as (
    {{ metric_row(
        'audit_completeness', 'audit_counts',
        numerator='n_audited', denominator='n_events',
    ) }}
),

sensitive_destinations_blocked as (
    {{ metric_row(
        'sensitive_destinations_blocked', 'period_counts',
        value='n_sensitive_blocked',
    ) }}
),

raw_text_external_deliveries as (
    {{ metric_row(
        'raw_text_external_deliveries', 'period_counts',
        value='n_raw_text_external',
    ) }}
),

metric_rows as (
    select * from consent_enforcement_rate
    union all
    select * from audit_completeness
    union all
    select * from sensitive_destinations_blocked
    union all
    select * from raw_text_external_deliveries
),

final as (
    select
        {{ metric_family_columns() }}
    from metric_rows
)

select * from final
