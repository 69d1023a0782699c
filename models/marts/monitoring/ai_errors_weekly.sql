{#-
    One row per ISO week, model version and error type with at least one error
    response, beside all responses of that model version in the week.
    Errors by response occurred_at week (as success_rate). A null model_version
    or error_type is shown as 'unknown', never dropped.
-#}

with

responses as (

    select * from {{ ref('fct_ai_responses') }}

),

labelled as (

    select
        occurred_week as week_start,
        coalesce(model_version, 'unknown') as model_version,
        coalesce(error_type, 'unknown') as error_type,
        response_status = 'error' as is_error
    from responses

),

version_totals as (

    select
        week_start,
        model_version,
        count(*) as model_version_responses
    from labelled
    group by 1, 2

),

errors as (

    select
        week_start,
        model_version,
        error_type,
        count(*) as error_responses
    from labelled
    where is_error
    group by 1, 2, 3

),

final as (

    select
        errors.week_start,
        errors.model_version,
        errors.error_type,
        errors.error_responses,
        version_totals.model_version_responses,
        errors.error_responses
        / cast(version_totals.model_version_responses as {{ type_double() }}) as error_share
    from errors
    inner join version_totals
        on
            errors.week_start = version_totals.week_start
            and errors.model_version = version_totals.model_version

)

select * from final
