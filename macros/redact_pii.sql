{#-
    redact_pii(text_expr): cross-database PII redaction (adapter.dispatch: default__ = Postgres,
    duckdb__ = DuckDB). Returns a text expression in which personal data is replaced by typed
    placeholders: [EMAIL], [IBAN], [IP], [PHONE], [CARD], [NATIONAL_ID]. Null in -> null out.
    has_pii(text_expr): the matching predicate, true exactly when redact_pii would change the text
    (null in -> null out).

    One ordered rule list (redact_pii_rules) serves both warehouses; the rules become nested
    regexp_replace(..., 'g') calls, the first rule innermost. Only the word boundary differs
    (RE2 `\b`, Postgres ARE `\y`): the token ~B~ in a pattern stands for it.

    Why the chain is guarded by has_pii: most texts hold no personal data, and one predicate
    costs far less than the ~20 regexp_replace calls. The guard changes no result. The chain
    changes a text if and only if some rule's pattern matches the ORIGINAL text: the first rule
    that replaces something sees the original text, and if rule i matches the original, either an
    earlier rule already replaced something or rule i sees the original and does. And a
    replacement is never undone: every pattern needs a digit, '@' or ':' (the IPv6 rules a ':',
    e-mail an '@', all others a digit), no placeholder contains one, so each replacement lowers
    the count of those characters. has_pii is "some rule's pattern matches" (DuckDB: one
    alternation of all the patterns, which matches somewhere exactly when one of its
    alternatives does, whatever the engine's choice among them; Postgres: one `~` per pattern).

    The patterns use only syntax that RE2 and Postgres ARE read the same way: bracket classes
    instead of escapes ([.] [+] [(] [)]), greedy quantifiers only, no look-around, no
    back-references, and alternatives that cannot match different lengths at the same place
    (disjoint first characters, or fixed by the separators and word boundaries around them):
    RE2 takes the first alternative that matches, Postgres the longest. The two warehouses gave
    identical output on the corpus and on 120,000 random strings built from PII fragments.
    Postgres evaluates the patterns under collation "C" so that `\y` sees ASCII word characters
    only, exactly like RE2's `\b` (under C.UTF-8 Postgres would count letters such as e-acute
    as word characters and the two warehouses would disagree next to accented letters).

    Design decisions (order, check digits, known limits) are documented in
    macros/_macros__redact_pii.yml. The measured quality: tests_py/pii_eval.py.
-#}

{% macro redact_pii(text_expr) -%}
    {{ return(adapter.dispatch('redact_pii', 'ai_ops')(text_expr)) }}
{%- endmacro %}

{% macro default__redact_pii(text_expr) -%}
    {#- Postgres: ASCII word boundaries via collation "C"; the result gets the default collation back. -#}
    {%- set text_c = '(cast(' ~ text_expr ~ ' as text) collate "C")' -%}
    {{ return('(case when ' ~ has_pii_are(text_c) ~ ' then ' ~ redact_pii_nested(text_c, '\\y')
        ~ ' else ' ~ text_c ~ ' end collate "default")') }}
{%- endmacro %}

{% macro duckdb__redact_pii(text_expr) -%}
    {%- set text = 'cast(' ~ text_expr ~ ' as text)' -%}
    {{ return('(case when ' ~ has_pii_re2(text) ~ ' then ' ~ redact_pii_nested(text, '\\b')
        ~ ' else ' ~ text ~ ' end)') }}
{%- endmacro %}

{% macro has_pii(text_expr) -%}
    {{ return(adapter.dispatch('has_pii', 'ai_ops')(text_expr)) }}
{%- endmacro %}

{% macro default__has_pii(text_expr) -%}
    {{ return(has_pii_are('(cast(' ~ text_expr ~ ' as text) collate "C")')) }}
{%- endmacro %}

{% macro duckdb__has_pii(text_expr) -%}
    {{ return(has_pii_re2('cast(' ~ text_expr ~ ' as text)')) }}
{%- endmacro %}

{% macro has_pii_re2(sql_expr) -%}
    {#-
        One regexp_matches on the alternation of all the patterns: RE2 runs it as one DFA, within
        its memory budget (measured at 10 M events and on long digit-heavy text: 7 to 20 times
        cheaper than one regexp_matches per rule; a first "[0-9@:]" test made it slower).
    -#}
    {%- set alternatives = [] -%}
    {%- for pattern in redact_pii_patterns('\\b') -%}
        {%- do alternatives.append('(' ~ pattern ~ ')') -%}
    {%- endfor -%}
    {{ return("regexp_matches(" ~ sql_expr ~ ", '" ~ alternatives | join('|') ~ "')") }}
{%- endmacro %}

{% macro has_pii_are(sql_expr) -%}
    {#-
        Postgres ARE is slower on the alternation of all the patterns than on the patterns one by
        one (measured: 1.5 times), so: one `~` per rule, or-ed, behind a cheap character test
        that skips the many texts without a digit, '@' or ':' (every pattern needs one).
        sql_expr must already be under collation "C".
    -#}
    {%- set tests = [] -%}
    {%- for pattern in redact_pii_patterns('\\y') -%}
        {%- do tests.append(sql_expr ~ " ~ '" ~ pattern ~ "'") -%}
    {%- endfor -%}
    {{ return('(' ~ sql_expr ~ " ~ '[0-9@:]' and (" ~ tests | join(' or ') ~ '))') }}
{%- endmacro %}

{% macro redact_pii_patterns(word_boundary) -%}
    {#- The rules' patterns in order, ~B~ replaced by the warehouse's word boundary. -#}
    {%- set patterns = [] -%}
    {%- for rule in redact_pii_rules() -%}
        {%- do patterns.append(rule['pattern'] | replace('~B~', word_boundary)) -%}
    {%- endfor -%}
    {{ return(patterns) }}
{%- endmacro %}

{% macro redact_pii_nested(sql_expr, word_boundary) -%}
    {#- Wraps sql_expr in one regexp_replace per rule, first rule innermost (applied first). -#}
    {%- set ns = namespace(sql=sql_expr) -%}
    {%- for rule in redact_pii_rules() -%}
        {%- set pattern = rule['pattern'] | replace('~B~', word_boundary) -%}
        {%- set ns.sql = "regexp_replace(" ~ ns.sql ~ ", '" ~ pattern ~ "', '" ~ rule['placeholder'] ~ "', 'g')" -%}
    {%- endfor -%}
    {{ return(ns.sql) }}
{%- endmacro %}

{% macro redact_pii_rules() -%}
    {#-
        The ordered rules. ~B~ = word boundary. No single quote may appear in a pattern, and every
        match of every pattern must hold a digit, '@' or ':' (the has_pii guard relies on it).
    -#}
    {%- set hex = '[0-9A-Fa-f]{1,4}' -%}
    {%- set octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])' -%}
    {%- set iban_countries = [
        'AD', 'AE', 'AL', 'AT', 'AZ', 'BA', 'BE', 'BG', 'BH', 'BI', 'BR', 'BY', 'CH', 'CR', 'CY',
        'CZ', 'DE', 'DJ', 'DK', 'DO', 'EE', 'EG', 'ES', 'FI', 'FK', 'FO', 'FR', 'GB', 'GE', 'GI',
        'GL', 'GR', 'GT', 'HN', 'HR', 'HU', 'IE', 'IL', 'IQ', 'IS', 'IT', 'JO', 'KW', 'KZ', 'LB',
        'LC', 'LI', 'LT', 'LU', 'LV', 'LY', 'MC', 'MD', 'ME', 'MK', 'MN', 'MR', 'MT', 'MU', 'NI',
        'NL', 'NO', 'OM', 'PK', 'PL', 'PS', 'PT', 'QA', 'RO', 'RS', 'RU', 'SA', 'SC', 'SD', 'SE',
        'SI', 'SK', 'SM', 'SO', 'ST', 'SV', 'TL', 'TN', 'TR', 'UA', 'VA', 'VG', 'XK', 'YE',
    ] -%}
    {%- set dni_letter = '[A-HJ-NP-TV-Z]' -%}
    {#- Accented Latin letters (U+00C0 to U+024F) allowed in e-mail addresses: chloé.martin@exemple.fr. -#}
    {%- set latin = 'À-ɏ' -%}
    {%- set rules = [
        {'name': 'email', 'placeholder': '[EMAIL]',
         'pattern': '[A-Za-z0-9' ~ latin ~ '._%+-]+@[A-Za-z0-9' ~ latin ~ '-]+([.][A-Za-z0-9' ~ latin ~ '-]+)*[.][A-Za-z]{2,}'},
        {'name': 'iban', 'placeholder': '[IBAN]',
         'pattern': '~B~(' ~ iban_countries | join('|') ~ ')[0-9]{2}( ?[A-Z0-9]{4}){2,7}( ?[A-Z0-9]{1,3})?~B~'},
        {'name': 'iban_lowercase_digits', 'placeholder': '[IBAN]',
         'pattern': '~B~(' ~ iban_countries | join('|') | lower ~ ')[0-9]{2}( ?[0-9]{4}){2,7}( ?[0-9]{1,3})?~B~'},
        {'name': 'phone_fr', 'placeholder': '[PHONE]',
         'pattern': '~B~0[1-9](( [0-9]{2}){4}|([.][0-9]{2}){4}|(-[0-9]{2}){4}|[0-9]{8})~B~'},
        {'name': 'ipv6_embedded_ipv4', 'placeholder': '[IP]',
         'pattern': '(~B~' ~ hex ~ '(:' ~ hex ~ '){0,5})?::(' ~ hex ~ ':){0,4}' ~ octet ~ '([.]' ~ octet ~ '){3}~B~'},
        {'name': 'ipv6_full', 'placeholder': '[IP]',
         'pattern': '~B~' ~ hex ~ '(:' ~ hex ~ '){7}~B~'},
        {'name': 'ipv6_compressed', 'placeholder': '[IP]',
         'pattern': '~B~' ~ hex ~ '(:' ~ hex ~ '){0,6}::' ~ hex ~ '(:' ~ hex ~ '){0,6}~B~'},
        {'name': 'ipv6_compressed_tail', 'placeholder': '[IP]',
         'pattern': '~B~' ~ hex ~ '(:' ~ hex ~ '){1,6}::'},
        {'name': 'ipv4', 'placeholder': '[IP]',
         'pattern': '~B~' ~ octet ~ '([.]' ~ octet ~ '){3}~B~'},
        {'name': 'phone_international', 'placeholder': '[PHONE]',
         'pattern': '([+]|~B~00)[1-9]([ ./-]?([(][0-9]{1,4}[)]|[0-9])){6,14}~B~'},
        {'name': 'card_plain', 'placeholder': '[CARD]',
         'pattern': '~B~[0-9]{13,19}~B~'},
        {'name': 'card_groups_of_four', 'placeholder': '[CARD]',
         'pattern': '~B~[0-9]{4}[ -][0-9]{4}[ -][0-9]{4}[ -][0-9]{1,4}([ -][0-9]{1,3})?~B~'},
        {'name': 'card_amex_diners', 'placeholder': '[CARD]',
         'pattern': '~B~[0-9]{4}[ -][0-9]{6}[ -][0-9]{4,5}~B~'},
        {'name': 'us_ssn', 'placeholder': '[NATIONAL_ID]',
         'pattern': '~B~[0-9]{3}-[0-9]{2}-[0-9]{4}~B~'},
        {'name': 'uk_nino', 'placeholder': '[NATIONAL_ID]',
         'pattern': '~B~[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]~B~'},
        {'name': 'es_dni_nie', 'placeholder': '[NATIONAL_ID]',
         'pattern': '~B~([0-9]{8}|[XYZ]-?[0-9]{7})-?' ~ dni_letter ~ '~B~'},
        {'name': 'phone_nanp_parentheses', 'placeholder': '[PHONE]',
         'pattern': '(~B~1[ .-]?)?[(][0-9]{3}[)][ .-]?[0-9]{3}[ .-][0-9]{4}~B~'},
        {'name': 'phone_nanp', 'placeholder': '[PHONE]',
         'pattern': '~B~(1[ .-])?[0-9]{3}[ .-][0-9]{3}[ .-][0-9]{4}~B~'},
        {'name': 'phone_trunk_prefix', 'placeholder': '[PHONE]',
         'pattern': '([(]0[1-9][0-9]{1,3}[)]|~B~0[1-9][0-9]{1,3})[ /.-]?[0-9]{3,4}[ .-]?[0-9]{3,4}~B~'},
    ] -%}
    {{ return(rules) }}
{%- endmacro %}
