{#-
    redact_pii(text_expr): cross-database PII redaction (adapter.dispatch: default__ = Postgres,
    duckdb__ = DuckDB). Returns a text expression in which personal data is replaced by typed
    placeholders: [EMAIL], [IBAN], [IP], [PHONE], [CARD], [NATIONAL_ID]. Null in -> null out.
    A number after a word that names it (call, tel, SSN, BSN, CPF, IP ...) takes that word's type.
    has_pii(text_expr): the matching predicate, true exactly when redact_pii would change the text
    (null in -> null out).

    One ordered rule list (redact_pii_rules) serves both warehouses; the rules become nested
    regexp_replace(..., 'g') calls, the first rule innermost. Only the word boundary differs
    (RE2 `\b`, Postgres ARE `\y`): the token ~B~ in a pattern stands for it.

    Why the chain is guarded by has_pii: most texts hold no personal data, and one predicate
    costs far less than the ~27 regexp_replace calls. The guard changes no result. The chain
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
    back-references in patterns (replacements use \1 and \2, which both read alike), (?:...)
    groups, and alternatives that cannot match different lengths at the same place
    (disjoint first characters, or fixed by the separators and word boundaries around them):
    RE2 takes the first alternative that matches, Postgres the longest. The two warehouses gave
    identical output on the corpus and on 120,000 random strings built from PII fragments.
    Postgres evaluates the patterns under collation "C" so that `\y` sees ASCII word characters
    only, exactly like RE2's `\b` (under C.UTF-8 Postgres would count letters such as e-acute
    as word characters and the two warehouses would disagree next to accented letters).

    Design decisions (order, check digits, known limits) are documented in
    macros/_macros__redact_pii.yml; the measured quality and the choice of context words in
    docs/PRIVACY.md (tests_py/test_pii_faker.py, tests_py/test_pii_redaction.py).
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

{#-
    Spark: Java's regex engine. Three differences from RE2 are rewritten (java_pii_pattern): the
    word boundary (Java 17's \b also counts accented letters as word characters, RE2's only
    ASCII: an explicit ASCII look-around instead), a "[" inside a bracket class (Java reads it as
    a nested class: escaped) and the end anchor (Java's $ also matches before a final line break:
    \z). Case-insensitive rules get (?iu), Unicode case folding as RE2's 'i'. Replacements use
    $1/$2 for \1/\2. Patterns go into raw literals (r'...'), which Spark does not unescape.
-#}
{% macro spark__redact_pii(text_expr) -%}
    {%- set text = 'cast(' ~ text_expr ~ ' as string)' -%}
    {%- set ns = namespace(sql=text) -%}
    {%- for rule in redact_pii_rules() -%}
        {%- set replacement = rule.get('replacement', rule['placeholder']) | replace('\\1', '$1') | replace('\\2', '$2') -%}
        {%- for _ in range(rule.get('passes', 1)) -%}
            {%- set ns.sql = 'regexp_replace(' ~ ns.sql ~ ", r'" ~ java_pii_pattern(rule) ~ "', '" ~ replacement ~ "')" -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return('(case when ' ~ spark__has_pii(text_expr) ~ ' then ' ~ ns.sql ~ ' else ' ~ text ~ ' end)') }}
{%- endmacro %}

{% macro java_pii_pattern(rule) -%}
    {%- set ascii_word = '[A-Za-z0-9_]' -%}
    {%- set boundary = '(?:(?<=' ~ ascii_word ~ ')(?!' ~ ascii_word ~ ')|(?<!' ~ ascii_word ~ ')(?=' ~ ascii_word ~ '))' -%}
    {%- set pattern = rule['pattern'] | replace('~B~', boundary) | replace('[^[', '[^\\[') | replace('$', '\\z') -%}
    {{ return(('(?iu)' if rule.get('case_insensitive') else '') ~ pattern) }}
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

{% macro spark__has_pii(text_expr) -%}
    {%- set text = 'cast(' ~ text_expr ~ ' as string)' -%}
    {%- set tests = [] -%}
    {%- for rule in redact_pii_rules() -%}
        {%- do tests.append(text ~ " rlike r'" ~ java_pii_pattern(rule) ~ "'") -%}
    {%- endfor -%}
    {{ return('(' ~ text ~ " rlike '[0-9@:]' and (" ~ tests | join(' or ') ~ '))') }}
{%- endmacro %}

{% macro has_pii_re2(sql_expr) -%}
    {#-
        One regexp_matches on the alternation of the case-sensitive patterns and one (option 'i')
        on the alternation of the case-insensitive ones (the context rules): RE2 runs each as one
        DFA within its memory budget (measured at 10 M events and on long digit-heavy text: 7 to
        20 times cheaper than one regexp_matches per rule; a first "[0-9@:]" test made it slower).
        One alternation mixing both kinds, with (?i:...) groups, measured 10 times slower: its DFA
        outgrows the budget and RE2 falls back to its NFA.
    -#}
    {%- set tests = [] -%}
    {%- for case_insensitive in [false, true] -%}
        {%- set alternatives = [] -%}
        {%- for rule in redact_pii_rules() if rule.get('case_insensitive', false) == case_insensitive -%}
            {%- do alternatives.append('(' ~ rule['pattern'] | replace('~B~', '\\b') ~ ')') -%}
        {%- endfor -%}
        {%- do tests.append("regexp_matches(" ~ sql_expr ~ ", '" ~ alternatives | join('|') ~ "'"
            ~ (", 'i')" if case_insensitive else ")")) -%}
    {%- endfor -%}
    {{ return('(' ~ tests | join(' or ') ~ ')') }}
{%- endmacro %}

{% macro has_pii_are(sql_expr) -%}
    {#-
        Postgres ARE is slower on the alternation of all the patterns than on the patterns one by
        one (measured: 1.5 times), so: one `~` (`~*` for a case-insensitive rule) per rule, or-ed,
        behind a cheap character test that skips the many texts without a digit, '@' or ':'
        (every pattern needs one). sql_expr must already be under collation "C".
    -#}
    {%- set tests = [] -%}
    {%- for rule in redact_pii_rules() -%}
        {%- set operator = ' ~* ' if rule.get('case_insensitive') else ' ~ ' -%}
        {%- do tests.append(sql_expr ~ operator ~ "'" ~ rule['pattern'] | replace('~B~', '\\y') ~ "'") -%}
    {%- endfor -%}
    {{ return('(' ~ sql_expr ~ " ~ '[0-9@:]' and (" ~ tests | join(' or ') ~ '))') }}
{%- endmacro %}

{% macro redact_pii_nested(sql_expr, word_boundary) -%}
    {#-
        Wraps sql_expr in one regexp_replace per rule, first rule innermost (applied first). The
        replacement is the rule's placeholder, or its `replacement` (a context rule puts the
        context words back with \1; a guarded rule puts back the characters its guards read).
    -#}
    {%- set ns = namespace(sql=sql_expr) -%}
    {%- for rule in redact_pii_rules() -%}
        {%- set pattern = rule['pattern'] | replace('~B~', word_boundary) -%}
        {%- set flags = 'gi' if rule.get('case_insensitive') else 'g' -%}
        {%- for _ in range(rule.get('passes', 1)) -%}
            {%- set ns.sql = "regexp_replace(" ~ ns.sql ~ ", '" ~ pattern ~ "', '" ~ rule.get('replacement', rule['placeholder'])
                ~ "', '" ~ flags ~ "')" -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(ns.sql) }}
{%- endmacro %}

{% macro redact_pii_rules() -%}
    {#-
        The ordered rules: {name, placeholder, pattern} and optionally replacement (default: the
        placeholder) and case_insensitive. ~B~ = word boundary. No single quote may appear in a
        pattern, and every match of every pattern must hold a digit, '@' or ':' (the has_pii guard
        relies on it). Why each rule and its place: macros/_macros__redact_pii.yml, docs/PRIVACY.md.
    -#}
    {%- set hex = '[0-9A-Fa-f]{1,4}' -%}
    {%- set octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])' -%}
    {%- set octet_100_255 = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9])' -%}
    {%- set octet_0_99 = '([1-9][0-9]|[0-9])' -%}
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
    {#-
        Context words (case-insensitive): a Latin word must stand alone (no letter, digit, _ or "["
        before it, ~B~ after it; a stem with [a-z]* takes its compounds: Telefonnummer), a Japanese
        one needs no boundary. Not after "[": the placeholders [PHONE] and [IP] hold such words, and
        "[PHONE] about ORD-2026-004512" must not make the order number a phone (has_pii must be
        false on every output of redact_pii). Then
        up to 24 characters without a digit, "+" or "(" ("number is ", ": ", "-moi au "), then
        the number. The replacement keeps the words (\1) and replaces the number only.
    -#}
    {%- set gap = '[^0-9+(]{0,24}' -%}
    {%- set id_words = '((^|[^[A-Za-z0-9_])(ssn|itin|social security|nino|national insurance|ni number|codice fiscale|cf|bsn'
        ~ '|burgerservicenummer|sofinummer|cpf|nir|s[eé]curit[eé] sociale|insee|dni|nie|nif|aadhaa?r|tfn|tax file'
        ~ '|my ?number)~B~|マイナンバー|個人番号)' -%}
    {%- set phone_words = '((^|[^[A-Za-z0-9_])(phones?|t[eé]l[eé]phone[a-z]*|t[eé]l|tlf|t[eé]l[eé]f[oó]+n[a-z]*|mobi[a-z]*|m[oó]vil'
        ~ '|cell[a-z]*|celular|handy|portable|fax|whats ?app|sms|call[a-z]*|ring|dial|rufnummer|anruf[a-z]*|rufen'
        ~ '|appel[a-z]*|ll[aá]m[a-z]*|bel|bellen|chiam[a-z]*|ligue|ligar)~B~|電話|携帯)' -%}
    {%- set ip_words = '((^|[^[A-Za-z0-9_])(ips?|ipv4|login|address|addr|adresse|adres|direcci[oó]n|indirizzo|endere[cç]o|host|server)~B~'
        ~ '|アドレス)' -%}
    {%- set extension = '( ?(x|ext[.]?) ?[0-9]{1,5})?' -%}
    {#-
        Guards for the rules whose digit groups a longer run of groups also contains (a 22-digit
        parcel number 9400 1000 0000 0000 0000 00 holds a card and phones): the match must not
        start right after "digit + separator" nor end right before "separator + digit". Without
        look-around, the guards read the character(s) around and the replacement puts them back
        (\1 ... \2); every other group of such a rule is non-capturing (?:...). Such a rule runs
        twice ('passes': 2): the character a match reads after itself cannot be read again by the
        next match in the same pass, so of two numbers in a list ("A; B") the second is redacted in
        the second pass.
    -#}
    {%- set lead = '(^|[^0-9 ./:-]|[^0-9][ ./-])' -%}
    {%- set trail = '($|[^0-9 ./-]|[ ./-]$|[ ./-][^0-9])' -%}
    {%- set rules = [] -%}
    {#- 1. E-mail first: an address may contain digits, dots and + that look like phones, IPs or ids. -#}
    {%- do rules.append({'name': 'email', 'placeholder': '[EMAIL]',
         'pattern': '[A-Za-z0-9' ~ latin ~ '._%+-]+@[A-Za-z0-9' ~ latin ~ '-]+([.][A-Za-z0-9' ~ latin ~ '-]+)*[.][A-Za-z]{2,}'}) -%}
    {#- 2. IBAN before cards and phones, whose digit groups an IBAN contains. -#}
    {#- Upper case with any BBAN, or a lower-case country code with an all-digit BBAN (one call: the case differs). -#}
    {%- do rules.append({'name': 'iban', 'placeholder': '[IBAN]',
         'pattern': '~B~((' ~ iban_countries | join('|') ~ ')[0-9]{2}( ?[A-Z0-9]{4}){2,7}( ?[A-Z0-9]{1,3})?'
            ~ '|(' ~ iban_countries | join('|') | lower ~ ')[0-9]{2}( ?[0-9]{4}){2,7}( ?[0-9]{1,3})?)~B~'}) -%}
    {#-
        3. Numbers named by the words before them: the word decides the type (a 15-digit NIR, a 12-digit
           Aadhaar or My Number, a 13-digit MSISDN, 10 bare digits after "call"). After a phone word:
           9 to 15 digits in any grouping, or 7-8 digits as 3-4 or 4-4 (555-0132, 5908 7398), which a
           date (2026-03-14, 14.03.2026: 2-digit groups) never is.
    -#}
    {%- do rules.append({'name': 'national_id_after_its_name', 'placeholder': '[NATIONAL_ID]', 'case_insensitive': true,
         'replacement': '\\1[NATIONAL_ID]',
         'pattern': '(' ~ id_words ~ gap ~ ')[0-9]([ .-]?([0-9]|2[AB])){7,14}~B~'}) -%}
    {%- do rules.append({'name': 'phone_after_a_phone_word', 'placeholder': '[PHONE]', 'case_insensitive': true,
         'replacement': '\\1[PHONE]',
         'pattern': '(' ~ phone_words ~ gap ~ ')(([+]|00)?[(]?[0-9]([ ./()-]{0,3}[0-9]){8,14}|[0-9]{3,4}[ .-]?[0-9]{4})'
            ~ extension ~ '~B~'}) -%}
    {#- 4. French national phones before IPv4: 06.12.34.56.78 contains the IPv4 shape 12.34.56.78. -#}
    {%- do rules.append({'name': 'phone_fr', 'placeholder': '[PHONE]',
         'pattern': '~B~0[1-9](( [0-9]{2}){4}|([.][0-9]{2}){4}|(-[0-9]{2}){4})~B~'}) -%}
    {#- 5. IPs before phones, whose digit groups separated by dots they would otherwise feed. -#}
    {%- do rules.append({'name': 'ipv6_embedded_ipv4', 'placeholder': '[IP]',
         'pattern': '(~B~' ~ hex ~ '(:' ~ hex ~ '){0,5})?::(' ~ hex ~ ':){0,4}' ~ octet ~ '([.]' ~ octet ~ '){3}~B~'}) -%}
    {%- do rules.append({'name': 'ipv6_full', 'placeholder': '[IP]',
         'pattern': '~B~' ~ hex ~ '(:' ~ hex ~ '){7}~B~'}) -%}
    {%- do rules.append({'name': 'ipv6_compressed', 'placeholder': '[IP]',
         'pattern': '~B~' ~ hex ~ '(:' ~ hex ~ '){0,6}::' ~ hex ~ '(:' ~ hex ~ '){0,6}~B~'}) -%}
    {%- do rules.append({'name': 'ipv6_compressed_tail', 'placeholder': '[IP]',
         'pattern': '~B~' ~ hex ~ '(:' ~ hex ~ '){1,6}::'}) -%}
    {#- A network of one group (Faker: f400::/7): the address; the prefix length stays. -#}
    {%- do rules.append({'name': 'ipv6_network_one_group', 'placeholder': '[IP]', 'replacement': '[IP]\\1',
         'pattern': '~B~' ~ hex ~ '::(/[0-9]{1,3})~B~'}) -%}
    {#-
        A dotted quad of small numbers (1.2.3.4) is as often a four-part version: an IP after an IP
        word, or without one when an octet is over 99 (192.168.1.20) or it is in 10.0.0.0/8 (10.0.0.7).
    -#}
    {%- do rules.append({'name': 'ipv4_after_an_ip_word', 'placeholder': '[IP]', 'case_insensitive': true,
         'replacement': '\\1[IP]',
         'pattern': '(' ~ ip_words ~ gap ~ ')' ~ octet ~ '([.]' ~ octet ~ '){3}~B~'}) -%}
    {%- do rules.append({'name': 'ipv4_with_an_octet_over_99_or_in_10_0_0_0_8', 'placeholder': '[IP]',
         'pattern': '~B~(' ~ octet_100_255 ~ '([.]' ~ octet ~ '){3}|' ~ octet_0_99 ~ '[.]' ~ octet_100_255 ~ '([.]' ~ octet ~ '){2}|'
            ~ octet_0_99 ~ '[.]' ~ octet_0_99 ~ '[.]' ~ octet_100_255 ~ '[.]' ~ octet ~ '|'
            ~ octet_0_99 ~ '([.]' ~ octet_0_99 ~ '){2}[.]' ~ octet_100_255 ~ '|10([.]' ~ octet ~ '){3})~B~'}) -%}
    {#- 6. International phones before cards, so that +4915123456789 (13 digits) is a phone. -#}
    {%- do rules.append({'name': 'phone_international', 'placeholder': '[PHONE]', 'replacement': '\\1[PHONE]\\2', 'passes': 2,
         'pattern': lead ~ '(?:[+]|~B~00)[1-9](?:[ ./-]?(?:[(][0-9]{1,4}[)]|[0-9])){6,14}(?: ?(?:x|ext[.]?) ?[0-9]{1,5})?~B~' ~ trail}) -%}
    {#-
        7. Cards: 13-19 digits with an issuer's first digit (2-6, or JCB 1800/2131), 12-digit Maestro
           (its IIN ranges), Amex/Diners 4-6-5 and 4-6-4, then groups of four. Alternatives of one rule cannot both match at
           one place (an all-digit run between word boundaries has one length), so one call serves.
    -#}
    {%- do rules.append({'name': 'card_plain', 'placeholder': '[CARD]',
         'pattern': '~B~(1800[0-9]{11}|2131[0-9]{11}|[2-6][0-9]{12,18}'
            ~ '|(5018|5020|5038|5[6-8][0-9]{2}|6304|6390|6759|676[1-3]|0604)[0-9]{8}'
            ~ '|[0-9]{4}[ -][0-9]{6}[ -][0-9]{4,5})~B~'}) -%}
    {%- do rules.append({'name': 'card_groups_of_four', 'placeholder': '[CARD]', 'replacement': '\\1[CARD]\\2', 'passes': 2,
         'pattern': lead ~ '~B~[0-9]{4}[ -][0-9]{4}[ -][0-9]{4}(?:[ -][0-9]{1,4}(?:[ -][0-9]{1,3})?)?~B~' ~ trail}) -%}
    {#-
        8. National ids with a shape of their own, one call: the shapes differ in their first three
           characters (digits then "-", ".", or a digit; two letters then digits; six letters), so
           no two can match at one place.
    -#}
    {%- set id_shapes = {
        'us_ssn': '[0-9]{3}-[0-9]{2}-[0-9]{4}',
        'uk_nino': '[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-Z]',
        'es_dni_nie': '([0-9]{8}|[XYZ]-?[0-9]{7})-?' ~ dni_letter,
        'it_codice_fiscale': '[A-Z]{6}[0-9LMNP-V]{2}[ABCDEHLMPRST][0-9LMNP-V]{2}[A-Z][0-9LMNP-V]{3}[A-Z]',
        'br_cpf_formatted': '[0-9]{3}[.][0-9]{3}[.][0-9]{3}-[0-9]{2}',
    } -%}
    {%- do rules.append({'name': 'national_id_shapes', 'placeholder': '[NATIONAL_ID]',
         'pattern': '~B~(' ~ id_shapes.values() | join('|') ~ ')~B~'}) -%}
    {#- 9. National phones last. -#}
    {#- NANP with or without parentheses, Japanese 2-4-4 (one call: the shapes differ by the second character). -#}
    {%- do rules.append({'name': 'phone_nanp_and_jp', 'placeholder': '[PHONE]',
         'pattern': '((~B~1[ .-]?)?[(][0-9]{3}[)][ .-]?[0-9]{3}[ .-][0-9]{4}|~B~(1[ .-])?[0-9]{3}[ .-][0-9]{3}[ .-][0-9]{4}'
            ~ '|~B~[0-9]{2}-[0-9]{4}-[0-9]{4})' ~ extension ~ '~B~'}) -%}
    {%- do rules.append({'name': 'phone_trunk_prefix', 'placeholder': '[PHONE]', 'replacement': '\\1[PHONE]\\2', 'passes': 2,
         'pattern': lead ~ '(?:[(]0[1-9][0-9]{0,3}[)] ?|~B~0[1-9][0-9]{0,3}[ /.-])[0-9]{3,4}[ .-]?[0-9]{3,4}~B~' ~ trail}) -%}
    {{ return(rules) }}
{%- endmacro %}
