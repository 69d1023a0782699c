with

runs as (

    select * from {{ ref('int_agent_runs_unioned') }}

),

steps as (

    select * from {{ ref('int_agent_steps_unioned') }}

),

decisions as (

    select * from {{ ref('stg_agents__decisions') }}

),

sla_targets as (

    select * from {{ ref('sla_targets') }}

),

span_counts as (

    select
        run_id,
        count(*) as n_spans,
        count(distinct system) as n_distinct_systems
    from steps
    group by run_id

),

decision_counts as (

    select
        run_id,
        count(*) as n_decisions,
        sum(case when is_sensitive then 1 else 0 end) as n_sensitive_decisions,
        sum(
            case when is_sensitive and result = 'escalated' then 1 else 0 end
        ) as n_escalated_sensitive_decisions,
        sum(
            case when reason_code is not null then 1 else 0 end
        ) as n_explained_decisions
    from decisions
    group by run_id

),

joined as (

    select
        runs.run_id,
        runs.agent_id,
        runs.conversation_id,
        runs.workflow,
        runs.status,
        runs.expected_steps,
        coalesce(span_counts.n_spans, 0) as n_spans,
        coalesce(span_counts.n_distinct_systems, 0) as n_distinct_systems,
        coalesce(decision_counts.n_decisions, 0) as n_decisions,
        coalesce(
            decision_counts.n_sensitive_decisions, 0
        ) as n_sensitive_decisions,
        coalesce(
            decision_counts.n_escalated_sensitive_decisions, 0
        ) as n_escalated_sensitive_decisions,
        coalesce(
            decision_counts.n_explained_decisions, 0
        ) as n_explained_decisions,
        {{ seconds_between('runs.started_at', 'runs.finished_at') }}
            as duration_seconds,
        sla_targets.max_duration_seconds,
        runs.is_human_rescued,
        runs.started_at,
        runs.finished_at
    from runs
    left join span_counts
        on runs.run_id = span_counts.run_id
    left join decision_counts
        on runs.run_id = decision_counts.run_id
    left join sla_targets
        on runs.workflow = sla_targets.workflow

),

flagged as (

    select
        *,
        -- human_rescued null (unknown) counts as not rescued
        coalesce(
            status = 'success' and is_human_rescued is not true, false
        ) as is_successful_unrescued,
        -- a null expected_steps is not covered
        coalesce(n_spans >= expected_steps, false) as is_trace_complete
    from joined

),

final as (

    select
        run_id,
        agent_id,
        conversation_id,
        workflow,
        status,
        expected_steps,
        n_spans,
        n_distinct_systems,
        n_decisions,
        n_sensitive_decisions,
        n_escalated_sensitive_decisions,
        n_explained_decisions,
        duration_seconds,
        max_duration_seconds,
        is_human_rescued,
        is_successful_unrescued,
        is_trace_complete,
        -- unfinished run (null finished_at) or workflow without an SLA row: miss
        coalesce(
            is_successful_unrescued
            and duration_seconds <= max_duration_seconds,
            false
        ) as meets_sla,
        started_at,
        finished_at
    from flagged

)

select * from final
