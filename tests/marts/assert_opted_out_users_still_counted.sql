-- Opted-out users are counted in aggregates: the fact marts keep every row of
-- their intermediate models (only the identifier is withheld).

with

counts as (

    select
        'fct_ai_conversations' as model_name,
        (select count(*) from {{ ref('fct_ai_conversations') }}) as n_mart,
        (select count(*) from {{ ref('int_conversations_assembled') }})
            as n_upstream

    union all

    select
        'fct_ai_responses' as model_name,
        (select count(*) from {{ ref('fct_ai_responses') }}) as n_mart,
        (select count(*) from {{ ref('int_ai_responses_priced') }})
            as n_upstream

)

select * from counts
where n_mart <> n_upstream
