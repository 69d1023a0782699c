-- Every metric key's target says the same direction as the metric catalog
-- (both seeds name it). Returns the keys whose directions differ.
with

catalog as (
    select * from {{ ref('metric_catalog') }}
),

metric_targets as (
    select * from {{ ref('metric_targets') }}
),

final as (
    select
        catalog.metric_key,
        catalog.direction as catalog_direction,
        metric_targets.direction as target_direction
    from catalog
    inner join metric_targets
        on catalog.metric_key = metric_targets.metric_key
    where catalog.direction != metric_targets.direction
)

select * from final
