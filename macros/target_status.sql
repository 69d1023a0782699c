{#- The status rule of CONTRACT.md section 3 (ops_metrics; initiative_scorecard). Arguments: macros/_macros__target_status.yml. -#}

{% macro target_status(value, target, direction, at_risk_band) -%}
    {#- 'no_data', 'no_target', 'on_track', 'at_risk' or 'off_track' for one value against its target. -#}
    case
        when {{ value }} is null then 'no_data'
        when {{ target }} is null then 'no_target'
        when {{ direction }} = 'higher_is_better'
            then
                case
                    when {{ value }} >= {{ target }} then 'on_track'
                    when
                        {{ value }}
                        >= {{ target }} * (1 - {{ at_risk_band }})
                        then 'at_risk'
                    else 'off_track'
                end
        when {{ direction }} = 'lower_is_better'
            then
                case
                    when {{ value }} <= {{ target }} then 'on_track'
                    when
                        {{ value }}
                        <= {{ target }} * (1 + {{ at_risk_band }})
                        then 'at_risk'
                    else 'off_track'
                end
        else 'no_target'
    end
{%- endmacro %}
