{#-
    One row per valid GenAI span (gen_ai.operation.name chat, text_completion, generate_content,
    invoke_agent or execute_tool) with the fields of the three-event model that the
    otel_attribute_map seed fills: for each field its keys are tried by priority (1 first), each
    looked up on the span, then on its ancestors in the same trace (nearest first), then on the
    span's resource; the first non-empty value wins (CONTRACT.md section 2). Also the span's
    nearest invoke_agent ancestor, which makes an execute_tool span a step of that agent run.
-#}

with recursive

spans as (

    select * from {{ ref('stg_otel__spans') }}

),

attribute_values as (

    select * from {{ ref('stg_otel__span_attributes') }}

),

attribute_map as (

    select * from {{ ref('otel_attribute_map') }}

),

genai_spans as (

    select
        span_id,
        trace_id,
        parent_span_id,
        operation_name
    from spans
    where
        operation_name in (
            'chat', 'text_completion', 'generate_content', 'invoke_agent', 'execute_tool'
        )

),

ancestry as (

    -- depth 0 is the span itself; each step up follows parent_span_id to a span of the same
    -- trace (a parent that never arrived ends the walk; 64 levels stop a cycle of bad ids). Each
    -- row carries its ancestor's operation name: agent_ancestors reads it without a join.
    select
        span_id,
        trace_id,
        span_id as ancestor_span_id,
        parent_span_id as ancestor_parent_span_id,
        operation_name as ancestor_operation_name,
        0 as ancestor_depth
    from genai_spans
    union all
    select
        ancestry.span_id,
        ancestry.trace_id,
        parents.span_id as ancestor_span_id,
        parents.parent_span_id as ancestor_parent_span_id,
        parents.operation_name as ancestor_operation_name,
        ancestry.ancestor_depth + 1 as ancestor_depth
    from ancestry
    inner join spans as parents
        on
            ancestry.ancestor_parent_span_id = parents.span_id
            and ancestry.trace_id = parents.trace_id
    where ancestry.ancestor_depth < 64

),

span_candidates as (

    select
        ancestry.span_id,
        attribute_values.attribute_key,
        attribute_values.attribute_value,
        ancestry.ancestor_depth as lookup_level
    from ancestry
    inner join attribute_values
        on
            ancestry.ancestor_span_id = attribute_values.span_id
            and ancestry.trace_id = attribute_values.trace_id
            and attribute_values.attribute_source = 'span'

),

resource_candidates as (

    -- the resource comes after every ancestor
    select
        genai_spans.span_id,
        attribute_values.attribute_key,
        attribute_values.attribute_value,
        1000 as lookup_level
    from genai_spans
    inner join attribute_values
        on
            genai_spans.span_id = attribute_values.span_id
            and attribute_values.attribute_source = 'resource'

),

candidates as (

    select * from span_candidates
    union all
    select * from resource_candidates

),

ranked as (

    select
        candidates.span_id,
        attribute_map.field,
        candidates.attribute_value,
        row_number() over (
            partition by candidates.span_id, attribute_map.field
            order by
                attribute_map.priority asc,
                candidates.lookup_level asc,
                candidates.attribute_value asc
        ) as candidate_rank
    from candidates
    inner join attribute_map
        on candidates.attribute_key = attribute_map.attribute_key

),

resolved as (

    select
        span_id,
        max(case when field = 'conversation_id' then attribute_value end) as conversation_id,
        max(case when field = 'user_id' then attribute_value end) as user_id,
        max(case when field = 'session_id' then attribute_value end) as session_id,
        max(case when field = 'workflow' then attribute_value end) as workflow,
        max(case when field = 'model_version' then attribute_value end) as model_version,
        max(case when field = 'prompt_version' then attribute_value end) as prompt_version,
        max(case when field = 'feature_flag_state' then attribute_value end) as feature_flag_state,
        max(case when field = 'consent_analytics' then attribute_value end) as consent_analytics,
        max(case when field = 'intent_label' then attribute_value end) as intent_label
    from ranked
    where candidate_rank = 1
    group by span_id

),

agent_ancestors as (

    -- the nearest invoke_agent span above (or at) the span: its agent run
    select
        span_id,
        ancestor_span_id as agent_run_span_id,
        row_number() over (
            partition by span_id
            order by ancestor_depth asc
        ) as agent_rank
    from ancestry
    where ancestor_operation_name = 'invoke_agent'

),

final as (

    select
        genai_spans.span_id,
        genai_spans.trace_id,
        agent_ancestors.agent_run_span_id,
        resolved.conversation_id,
        resolved.user_id,
        resolved.session_id,
        {{ normalize_enum('resolved.workflow') }} as workflow,
        resolved.model_version,
        resolved.prompt_version,
        {{ normalize_enum('resolved.feature_flag_state') }} as feature_flag_state,
        {{ json_to_boolean('resolved.consent_analytics') }} as consent_analytics,
        {{ normalize_enum('resolved.intent_label') }} as intent_label
    from genai_spans
    left join resolved
        on genai_spans.span_id = resolved.span_id
    left join agent_ancestors
        on
            genai_spans.span_id = agent_ancestors.span_id
            and agent_ancestors.agent_rank = 1

)

select * from final
