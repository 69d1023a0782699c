{#-
    One row per valid CRM outcome, attributed
    - to an AI conversation: the conversation named by the outcome's own
      conversation_id when that conversation exists (no time condition), else
      the latest conversation of the same user_id whose window
      [started_at, started_at + attribution_window_days days] (bounds
      included) holds the outcome's occurred_at (last touch);
    - to its user: the user's anchor is the first AI activity for AI users,
      the users-table created_at for everybody else; is_in_user_window when
      occurred_at lies in [anchor, anchor + attribution_window_days days].
-#}
{%- set window_days = var('attribution_window_days', 30) -%}
{%- set conversion_types = ['purchase', 'signup', 'opportunity_won'] -%}

with

outcomes as (

    select * from {{ ref('stg_crm__outcomes') }}

),

conversations as (

    select * from {{ ref('int_conversations_assembled') }}

),

users as (

    select * from {{ ref('int_users_consented') }}

),

by_conversation_id as (

    select
        outcomes.outcome_id,
        conversations.conversation_id
    from outcomes
    inner join conversations
        on outcomes.conversation_id = conversations.conversation_id

),

by_user_window as (

    select
        outcomes.outcome_id,
        conversations.conversation_id,
        row_number() over (
            partition by outcomes.outcome_id
            order by conversations.started_at desc, conversations.conversation_id desc
        ) as touch_rank
    from outcomes
    inner join conversations
        on
            outcomes.user_id = conversations.user_id
            and outcomes.occurred_at >= conversations.started_at
            and outcomes.occurred_at
            <= {{ dbt.dateadd('day', window_days, 'conversations.started_at') }}

),

user_anchors as (

    select
        user_id,
        is_ai_user,
        coalesce(first_ai_activity_at, created_at) as user_anchor_at
    from users

),

attributed as (

    select
        outcomes.outcome_id,
        coalesce(
            by_conversation_id.conversation_id,
            by_user_window.conversation_id
        ) as attributed_conversation_id,
        case
            when by_conversation_id.conversation_id is not null
                then 'conversation_id'
            when by_user_window.conversation_id is not null
                then 'user_window'
        end as attribution_method
    from outcomes
    left join by_conversation_id
        on outcomes.outcome_id = by_conversation_id.outcome_id
    left join by_user_window
        on
            outcomes.outcome_id = by_user_window.outcome_id
            and by_user_window.touch_rank = 1

),

final as (

    select
        outcomes.outcome_id,
        outcomes.account_id,
        outcomes.user_id,
        outcomes.conversation_id,
        attributed.attributed_conversation_id,
        conversations.workflow as attributed_workflow,
        outcomes.outcome_type,
        attributed.attribution_method,
        outcomes.amount_usd,
        coalesce(
            outcomes.outcome_type in ({{ quoted_list(conversion_types) }}),
            false
        ) as is_conversion,
        attributed.attributed_conversation_id is not null as is_ai_attributed,
        coalesce(user_anchors.is_ai_user, false) as is_ai_user,
        coalesce(
            outcomes.occurred_at >= user_anchors.user_anchor_at
            and outcomes.occurred_at
            <= {{ dbt.dateadd('day', window_days, 'user_anchors.user_anchor_at') }},
            false
        ) as is_in_user_window,
        user_anchors.user_anchor_at,
        outcomes.occurred_at
    from outcomes
    inner join attributed
        on outcomes.outcome_id = attributed.outcome_id
    left join conversations
        on attributed.attributed_conversation_id = conversations.conversation_id
    left join user_anchors
        on outcomes.user_id = user_anchors.user_id

)

select * from final
