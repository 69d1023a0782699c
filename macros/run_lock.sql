{#-
    One dbt run at a time per target schema (docs/INCREMENTAL.md, "Overlapping runs").

    dbt closes the on-run-start connection before the models run, so a session advisory lock
    taken there would be gone by then. The lock is a claim row in <target schema>.ai_ops_run_lock.
    on-run-start runs acquire_run_lock while it renders, as ONE statement string (one transaction)
    under a transaction-level advisory lock on the schema (two runs starting together claim one
    after the other): it reads the claim; held by another run, it raises an error naming the holder
    (raised while the hook renders, it ends dbt at once: no node is run or skipped, no on-run-end);
    free, it writes the claim, runs the run's setup DDL (the UDFs, the BI roles) and commits. A failing setup
    rolls the claim back with it, so nothing between the claim and the models can leave a claim
    behind. on-run-end deletes the claim first (release_run_lock). A claim older than
    `stale_after_minutes` (a killed run, whose on-run-end never ran) is taken over. DuckDB needs
    none of this: one process holds the file's write lock.
-#}

{% macro run_lock_table() -%}
    {{ return(adapter.quote(target.schema) ~ '.ai_ops_run_lock') }}
{%- endmacro %}


{% macro acquire_run_lock(setup_sql='', stale_after_minutes=360) -%}
    {#-
        Only the commands that write tables and end with on-run-end take the claim. The others
        (compile, docs generate, show, ls, source freshness...) write no table, and some render
        the hooks without ever reaching on-run-end: a claim taken there would block the next run.
    -#}
    {%- if flags.WHICH not in ['build', 'run', 'seed', 'snapshot', 'test', 'clone', 'retry'] -%}
        {{ return(setup_sql) }}
    {%- endif -%}
    {{ return(adapter.dispatch('acquire_run_lock', 'ai_ops')(setup_sql, stale_after_minutes)) }}
{%- endmacro %}

{% macro default__acquire_run_lock(setup_sql, stale_after_minutes) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {#- one statement string, one transaction: the claim and the setup commit together or not at all -#}
    {%- set claim -%}
do $ai_ops_lock$
declare
    holder record;
begin
    perform pg_advisory_xact_lock(hashtext('ai_ops_run_lock'), hashtext('{{ target.schema }}'));
    create schema if not exists {{ adapter.quote(target.schema) }};
    create table if not exists {{ run_lock_table() }} (
        target_schema text primary key,
        invocation_id text not null,
        started_at timestamptz not null
    );
    delete from {{ run_lock_table() }}
    where started_at < now() - interval '{{ stale_after_minutes }} minutes';
    select invocation_id, started_at into holder
    from {{ run_lock_table() }}
    where target_schema = '{{ target.schema }}';
    if found and holder.invocation_id <> '{{ invocation_id }}' then
        raise exception using message = format(
            'another dbt run holds the target schema %s (invocation %s, started %s): this run '
            'stopped before changing any table. Run again when that run has finished; if no run '
            'is active (it was killed), delete its claim: delete from %s',
            '{{ target.schema }}', holder.invocation_id, holder.started_at,
            '{{ run_lock_table() | replace("'", "''") }}'
        );
    end if;
    insert into {{ run_lock_table() }} (target_schema, invocation_id, started_at)
    values ('{{ target.schema }}', '{{ invocation_id }}', now())
    on conflict (target_schema) do nothing;
end
$ai_ops_lock$;
{{ setup_sql }}
commit;
    {%- endset -%}
    {#-
        Run while the hook renders: an error here (the claim is held, a setup statement fails)
        ends dbt at once, before any node and without on-run-end, and rolls the claim back.
    -#}
    {%- do run_query(claim) -%}
    {{ return('') }}
{%- endmacro %}

{% macro duckdb__acquire_run_lock(setup_sql, stale_after_minutes) -%}
    {#- DuckDB: the file's write lock already keeps a second process out (the CLI explains it). -#}
    {{ return(setup_sql) }}
{%- endmacro %}


{% macro release_run_lock() -%}
    {{ return(adapter.dispatch('release_run_lock', 'ai_ops')()) }}
{%- endmacro %}

{% macro default__release_run_lock() -%}
do $ai_ops_unlock$
begin
    if to_regclass('{{ run_lock_table() | replace("'", "''") }}') is not null then
        delete from {{ run_lock_table() }} where invocation_id = '{{ invocation_id }}';
    end if;
end
$ai_ops_unlock$;
commit;
{%- endmacro %}

{% macro duckdb__release_run_lock() -%}
    {{ return('') }}
{%- endmacro %}


{#-
    Spark: no lock. Spark SQL has neither advisory locks nor transactions, so a claim row could
    not be taken atomically; on a cluster, run one scheduled dbt job per target schema (the
    scheduler's concurrency limit of one). The local `session` method runs inside one process.
-#}
{% macro spark__acquire_run_lock(setup_sql, stale_after_minutes) -%}
    {#- no lock; the hook's setup statements still run, as on DuckDB -#}
    {{ return(setup_sql) }}
{%- endmacro %}

{% macro spark__release_run_lock() -%}
    {{ return('') }}
{%- endmacro %}
