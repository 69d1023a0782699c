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
    select
        period_grain,
        period_start,
        'overall' as segment_type,
        'all' as segment_value,
        count(*) as n_deliveries,
        sum(case when is_consent_matched then 1 else 0 end) as n_matched
    from ({{ expand_to_periods('consent_deliveries', 'routed_at') }})
        as periodized
    group by 1, 2
),

audit_counts as (
    select
        period_grain,
        period_start,
        'overall' as segment_type,
        'all' as segment_value,
        count(*) as n_events,
        sum(case when has_delivery then 1 else 0 end) as n_audited
    from ({{ expand_to_periods('audited_events', 'occurred_at') }})
        as periodized
    group by 1, 2
),

flag_counts as (
    select
        period_grain,
        period_start,
        count(distinct sensitive_blocked_event_id) as n_sensitive_blocked,
        sum(is_raw_text_external) as n_raw_text_external
    from ({{ expand_to_periods('flagged_deliveries', 'routed_at') }})
        as periodized
    group by 1, 2
),

count_periods as (
    select
        period_grain,
        period_start
    from metric_periods
    union
    select
        period_grain,
        period_start
    from flag_counts
),

period_counts as (
    select
        count_periods.period_grain,
        count_periods.period_start,
        'overall' as segment_type,
        'all' as segment_value,
        coalesce(flag_counts.n_sensitive_blocked, 0) as n_sensitive_blocked,
        coalesce(flag_counts.n_raw_text_external, 0) as n_raw_text_external
    from count_periods
    left join flag_counts
        on
            count_periods.period_grain = flag_counts.period_grain
            and count_periods.period_start = flag_counts.period_start
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
