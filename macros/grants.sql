{#-
    Access for BI tools on Postgres. dbt's `grants` config gives SELECT on each
    published mart to the roles in var('bi_reader_roles'); a role also needs
    USAGE on the schema, which dbt does not grant, hence grant_marts_usage().
    DuckDB has no access control: both macros do nothing there.
-#}

{% macro bi_reader_roles() -%}
    {#- The roles that read the published marts; none on adapters without grants. -#}
    {%- if target.type == 'postgres' -%}
        {%- do return(var('bi_reader_roles', ['bi_reader'])) -%}
    {%- else -%}
        {%- do return([]) -%}
    {%- endif -%}
{%- endmacro %}


{% macro ensure_bi_reader_roles() -%}
    {#-
        on-run-start: create each BI role (NOLOGIN) when it does not exist, so a
        first build does not fail on a missing grantee. Without CREATEROLE the
        hook only raises a notice; the grant then fails with Postgres' own message.
    -#}
    {%- if target.type == 'postgres' and execute -%}
        {%- for role in bi_reader_roles() %}
            do $$
            begin
                if not exists (select from pg_catalog.pg_roles where rolname = '{{ role }}') then
                    create role "{{ role }}" nologin;
                end if;
            exception
                when insufficient_privilege then
                    raise notice 'ai_ops: cannot create role {{ role }}; create it or set var bi_reader_roles';
                when duplicate_object or unique_violation then
                    null;  -- a run on another schema created it since the check (roles are cluster-wide)
            end
            $$;
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}


{% macro grant_marts_usage(results) -%}
    {#-
        on-run-end: USAGE, for the BI roles, on every schema where this run built a
        public model (a partial selection must not touch schemas that do not exist).
    -#}
    {%- if target.type == 'postgres' and execute -%}
        {%- set schemas = [] -%}
        {%- for result in results
            if result.node.resource_type == 'model' and result.node.access == 'public'
            and result.status == 'success' -%}
            {%- if result.node.schema not in schemas -%}{%- do schemas.append(result.node.schema) -%}{%- endif -%}
        {%- endfor -%}
        {%- for schema in schemas -%}
            {%- for role in bi_reader_roles() %}
                grant usage on schema "{{ schema }}" to "{{ role }}";
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
