{#-
    One row per ISO week, active user and combination of the segments
    (workflow, model_version, prompt_version, feature_flag_state) of the
    user's valid prompt events in that week: the fact behind the semantic
    layer's weekly_active_users (count distinct user_week_key). Users are
    counted whether or not they opted out, as in ops_metrics, so the user
    appears only as user_week_key: a salted md5 of the week and the user id,
    which tells users apart within one week but cannot follow a person from
    week to week nor be joined to user_key. The counting is done in
    int_user_prompt_segments_weekly; this model only hides the user.
-#}
{%- set user_key_salt = var('user_key_salt', 'ai_ops_user_key_salt') -%}

with

user_week_segments as (

    select * from {{ ref('int_user_prompt_segments_weekly') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            "'" ~ (user_key_salt | replace("'", "''")) ~ "'",
            "'|week|'",
            'cast(week_start as ' ~ dbt.type_string() ~ ')',
            "'|'",
            'user_id',
        ])) }} as user_week_key,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        n_prompts,
        week_start
    from user_week_segments

)

select * from final
