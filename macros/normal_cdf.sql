{#-
    Standard normal cumulative distribution function Phi(x) = P(Z <= x) in
    pure SQL arithmetic (neither DuckDB nor PostgreSQL has erf or a normal CDF).

    Method: W. J. Cody's rational Chebyshev approximations (Cody 1969, Math.
    Comp. 23; ACM TOMS 715 routine ANORM), in the form R's pnorm_both uses:
      |x| <= 0.67448975           Phi = 0.5 + x * P4(x^2) / Q4(x^2)
      0.67448975 < |x| <= sqrt(32) tail = exp(-x^2/2) * P8(|x|) / Q8(|x|)
      sqrt(32) < |x| < 38.4        tail = exp(-x^2/2) / |x| *
                                          (1/sqrt(2 pi) - R(1/x^2))
      |x| >= 38.4                  tail = 0 (the true tail is < 7e-323)
    (Cody and R stop the far range at 37.5193, where the tail leaves the
    normal doubles; going on to 38.4 keeps 2 * Phi(-|z|) exact down to
    the smallest normal double, the tail turning gradually subnormal.)
    with Phi(x) = tail for x < 0 and 1 - tail for x > 0. exp(-x^2/2) is
    computed as exp(-xsq^2/2) * exp(-(x - xsq)(x + xsq)/2), xsq = trunc(16 x)/16,
    to avoid the rounding error of x^2 for large |x| (Cody's trick).
    Accuracy, measured against Python math.erfc on z = -40..40 by
    tests_py/test_normal_cdf.py: max absolute error 2.2e-16; relative error
    8e-16 for |z| < 2, up to 1.9e-13 at |z| = 37 (growing as z^2 x 1.1e-16,
    the rounding of z / sqrt(2) in the reference itself). For a two-sided p-value use
    2 * normal_cdf(-abs(z)): the lower tail keeps its relative precision for
    large |z|, 2 * (1 - Phi(|z|)) would not.

    Every constant is cast from a decimal string to double precision, so
    DuckDB and PostgreSQL start from the same bits (a bare 2.235... literal
    is a decimal/numeric in both), then run the same IEEE double arithmetic:
    the two warehouses agree to a few ulps. No branch can underflow to 0 or
    divide by 0 (PostgreSQL raises errors on both): |x| <= 2^-53 returns 0.5
    directly, the tail branches stop at 38.4, where the tail is still >= 7e-323.
    The argument is evaluated several times: pass a column or a cheap
    expression. Null in, null out.
-#}

{% macro normal_cdf(x) -%}
    {{ return(adapter.dispatch('normal_cdf', 'ai_ops')(x)) }}
{%- endmacro %}


{#- A double precision constant from its decimal text (identical bits on every adapter). -#}
{% macro _normal_cdf_const(text) -%}
    cast('{{ text }}' as {{ ai_ops.type_double() }})
{%- endmacro %}


{#- Horner evaluation of ((((c0 * v + c1) * v + c2) ...) in SQL. -#}
{% macro _normal_cdf_horner(v, coefficients) -%}
    {%- set ns = namespace(expr=ai_ops._normal_cdf_const(coefficients[0])) -%}
    {%- for c in coefficients[1:] -%}
        {%- set ns.expr = '(' ~ ns.expr ~ ') * ' ~ v ~ ' + ' ~ ai_ops._normal_cdf_const(c) -%}
    {%- endfor -%}
    {{ ns.expr }}
{%- endmacro %}


{% macro default__normal_cdf(x) -%}
    {#- Cody's coefficients, copied from R's nmath/pnorm.c (pnorm_both). -#}
    {%- set a = ['2.2352520354606839287', '161.02823106855587881', '1067.6894854603709582',
                 '18154.981253343561249', '0.065682337918207449113'] -%}
    {%- set b = ['47.20258190468824187', '976.09855173777669322', '10260.932208618978205',
                 '45507.789335026729956'] -%}
    {%- set c = ['0.39894151208813466764', '8.8831497943883759412', '93.506656132177855979',
                 '597.27027639480026226', '2494.5375852903726711', '6848.1904505362823326',
                 '11602.651437647350124', '9842.7148383839780218', '1.0765576773720192317e-8'] -%}
    {%- set d = ['22.266688044328115691', '235.38790178262499861', '1519.377599407554805',
                 '6485.558298266760755', '18615.571640885098091', '34900.952721145977266',
                 '38912.003286093271411', '19685.429676859990727'] -%}
    {%- set p = ['0.21589853405795699', '0.1274011611602473639', '0.022235277870649807',
                 '0.001421619193227893466', '2.9112874951168792e-5', '0.02307344176494017303'] -%}
    {%- set q = ['1.28426009614491121', '0.468238212480865118', '0.0659881378689285515',
                 '0.00378239633202758244', '7.29751555083966205e-5'] -%}

    {%- set xv = '(cast(' ~ x ~ ' as ' ~ ai_ops.type_double() ~ '))' -%}
    {%- set y = 'abs' ~ xv -%}
    {%- set xsq = '(' ~ xv ~ ' * ' ~ xv ~ ')' -%}
    {%- set inv_xsq = '(1.0 / ' ~ xsq ~ ')' -%}

    {#- Central range: x * (a3 + x^2 (a2 + x^2 (a1 + x^2 (a0 + a4 x^2)))) / (b3 + x^2 (b2 + ...)) -#}
    {%- set central_num = ai_ops._normal_cdf_horner(xsq, [a[4], a[0], a[1], a[2], a[3]]) -%}
    {%- set central_den = ai_ops._normal_cdf_horner(xsq, ['1', b[0], b[1], b[2], b[3]]) -%}

    {#- Intermediate range: (c8 y^8 + c0 y^7 + ... + c7) / (y^8 + d0 y^7 + ... + d7). -#}
    {%- set mid_num = ai_ops._normal_cdf_horner(y, [c[8]] + c[0:8]) -%}
    {%- set mid_den = ai_ops._normal_cdf_horner(y, ['1'] + d) -%}

    {#- Far range: (1/sqrt(2 pi) - t R(t)) / y with t = 1/x^2, R = (p5 t^4 + p0 t^3 + ... + p4) / (t^5 + q0 t^4 + ... + q4) -#}
    {%- set far_num = ai_ops._normal_cdf_horner(inv_xsq, [p[5]] + p[0:5]) -%}
    {%- set far_den = ai_ops._normal_cdf_horner(inv_xsq, ['1'] + q) -%}

    {#- exp(-y^2 / 2), split at xs = trunc(16 y) / 16 as in Cody's ANORM. -#}
    {%- set xs = '(' ~ ai_ops.truncate_number(y ~ ' * 16.0') ~ ' / 16.0)' -%}
    {%- set gauss = '(exp(-' ~ xs ~ ' * ' ~ xs ~ ' * 0.5) * exp(-((' ~ y ~ ' - ' ~ xs ~ ') * (' ~ y ~ ' + ' ~ xs ~ ')) * 0.5))' -%}

    {%- set lower_tail -%}
        (case
            when {{ y }} <= {{ ai_ops._normal_cdf_const('5.656854249492380195206754896838') }}
                then {{ gauss }} * (({{ mid_num }}) / ({{ mid_den }}))
            when {{ y }} < {{ ai_ops._normal_cdf_const('38.4') }}
                then {{ gauss }} * (
                    ({{ ai_ops._normal_cdf_const('0.398942280401432677939946059934') }}
                        - {{ inv_xsq }} * ({{ far_num }}) / ({{ far_den }}))
                    / {{ y }}
                )
            else {{ ai_ops._normal_cdf_const('0') }}
        end)
    {%- endset -%}

    (case
        when {{ xv }} is null then cast(null as {{ ai_ops.type_double() }})
        when {{ y }} <= {{ ai_ops._normal_cdf_const('1.1102230246251565e-16') }}
            then {{ ai_ops._normal_cdf_const('0.5') }}
        when {{ y }} <= {{ ai_ops._normal_cdf_const('0.67448975') }}
            then {{ ai_ops._normal_cdf_const('0.5') }}
                + {{ xv }} * ({{ central_num }}) / ({{ central_den }})
        when {{ xv }} > 0 then {{ ai_ops._normal_cdf_const('1') }} - {{ lower_tail }}
        else {{ lower_tail }}
    end)
{%- endmacro %}


{#- trunc(expr) of a double: toward zero. Spark's trunc() truncates dates; floor() returns a bigint. -#}
{% macro truncate_number(expr) -%}
    {{ return(adapter.dispatch('truncate_number', 'ai_ops')(expr)) }}
{%- endmacro %}

{% macro default__truncate_number(expr) -%}
    {{ return('trunc(' ~ expr ~ ')') }}
{%- endmacro %}

{% macro spark__truncate_number(expr) -%}
    {#- only called on |x| * 16 < 615 (the branches below 38.4): the bigint cannot overflow -#}
    {{ return('cast(case when ' ~ expr ~ ' < 0 then ceil(' ~ expr ~ ') else floor(' ~ expr ~ ') end as double)') }}
{%- endmacro %}


{#- DuckDB runs exactly the same arithmetic (kept as its own entry so a faster native path can replace it later). -#}
{% macro duckdb__normal_cdf(x) -%}
    {{ ai_ops.default__normal_cdf(x) }}
{%- endmacro %}


{#- Spark runs the same arithmetic too (its own truncate_number; doubles are IEEE as everywhere). -#}
{% macro spark__normal_cdf(x) -%}
    {{ ai_ops.default__normal_cdf(x) }}
{%- endmacro %}
