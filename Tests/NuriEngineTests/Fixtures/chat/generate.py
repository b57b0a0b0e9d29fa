#!/usr/bin/env python3
"""Writes expected.json: chat templates rendered by Python's jinja2 the way Hugging Face does.

    python3 Tests/NuriEngineTests/Fixtures/chat/generate.py [--check-gguf MODELS_DIR]

Every case pairs a template (a file in templates/, or an inline snippet that exercises one Jinja
construct) with template variables, and records what jinja2 produced: the text, or the error it
raised. NuriEngine's ChatTemplate tests render the same cases and compare byte for byte.

The environment copies transformers' chat-template renderer: an ImmutableSandboxedEnvironment
with trim_blocks and lstrip_blocks, the loopcontrols extension, a {% generation %} tag, a
JSON-only tojson filter, and the raise_exception and strftime_now globals. strftime_now uses a
fixed instant (FIXED_NOW, in UTC) so the fixtures do not depend on when they were generated;
the Swift tests render with the same instant.

With --check-gguf, the SmolLM2 template in templates/ is also compared with the one in the
GGUF file (needs the `gguf` package and the models from scripts/fetch-models.py).
"""
import argparse
import datetime
import json
import os
import sys

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "templates")
OUTPUT = os.path.join(HERE, "expected.json")
FIXED_NOW = datetime.datetime(2025, 3, 14, 9, 26, 53)  # read as UTC by the Swift tests


# --- The renderer, as transformers.utils.chat_template_utils sets it up -------------------------

def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    # Hugging Face replaces Jinja's tojson (which HTML-escapes and sorts keys) with plain json.dumps.
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return FIXED_NOW.strftime(format)


class GenerationTag(Extension):
    """{% generation %}…{% endgeneration %}: marks assistant text for training masks; renders its body."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def environment():
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationTag, "jinja2.ext.loopcontrols"]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(source, variables):
    try:
        template = environment().from_string(source)
        return {"expected": template.render(**variables), "error": None}
    except jinja2.exceptions.TemplateSyntaxError as error:
        return {"expected": None, "error": {"kind": "syntax", "python": type(error).__name__, "message": str(error)}}
    except jinja2.exceptions.TemplateError as error:
        # raise_exception raises the base TemplateError; jinja2's own failures are subclasses.
        kind = "raised" if type(error) is jinja2.exceptions.TemplateError else "runtime"
        return {"expected": None, "error": {"kind": kind, "python": type(error).__name__, "message": str(error)}}
    except Exception as error:  # TypeError, ZeroDivisionError …: failures inside the template
        return {"expected": None, "error": {"kind": "runtime", "python": type(error).__name__, "message": str(error)}}


# --- Values, written with their Python type so Swift can tell 1 from 1.0 and keep dict order ----

def typed(value):
    if value is None:
        return {"none": None}
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int):
        return {"int": value}
    if isinstance(value, float):
        return {"double": value}
    if isinstance(value, str):
        return {"string": value}
    if isinstance(value, (list, tuple)):
        return {"array": [typed(item) for item in value]}
    if isinstance(value, dict):
        return {"object": [[key, typed(item)] for key, item in value.items()]}
    raise TypeError(f"cannot encode {value!r}")


# --- Conversations -----------------------------------------------------------------------------

def msg(role, content, **more):
    return {"role": role, "content": content, **more}


SYSTEM = msg("system", "You are a helpful assistant. Answer briefly.")
CONVERSATIONS = {
    "user_only": [msg("user", "Hello! Who are you?")],
    "system_user": [SYSTEM, msg("user", "What is the capital of France?")],
    "multi_turn": [
        SYSTEM,
        msg("user", "What is the capital of France?"),
        msg("assistant", "The capital of France is Paris."),
        msg("user", "And of Germany?"),
    ],
    "multi_turn_no_system": [
        msg("user", "Tell me a joke."),
        msg("assistant", "Why did the scarecrow win an award? Because he was outstanding in his field."),
        msg("user", "Another one, please."),
    ],
    "ends_with_assistant": [
        msg("user", "Say hi."),
        msg("assistant", "Hi!"),
    ],
    "korean": [
        msg("system", "당신은 친절한 한국어 비서입니다. 존댓말로 짧게 답하세요."),
        msg("user", "안녕하세요! 오늘 서울 날씨는 어때요?"),
        msg("assistant", "안녕하세요! 오늘 서울은 맑고 기온은 18도입니다. 🌤️"),
        msg("user", "고마워요. 내일은요? 우산이 필요할까요?"),
    ],
    "whitespace": [
        msg("user", "  padded question with trailing newlines\n\n"),
        msg("assistant", "\n  an answer with spaces around it  \n"),
        msg("user", "\tlast question\t"),
    ],
    "special_characters": [
        msg("user", "Quotes ' and \" and a backslash \\ and braces {{ not a tag }} {% nor this %} {# nor a comment #}"),
        msg("assistant", "Tokens as text: <|im_start|> <start_of_turn> <|eot_id|> </s>"),
        msg("user", "Combining e\u0301 vs \u00e9, emoji 👩\u200d👩\u200d👧, zero\u200bwidth, CRLF\r\nline, tab\tend"),
    ],
    "empty_content": [msg("user", "")],
}

REJECTED = {
    "consecutive_users": [msg("user", "First."), msg("user", "Second.")],
    "assistant_first": [msg("assistant", "I speak first."), msg("user", "Hello.")],
    "system_then_assistant": [SYSTEM, msg("assistant", "Hello."), msg("user", "Hi.")],
    "no_messages": [],
}

FAMILIES = {
    # file: (bos_token, eos_token)
    "smollm2-135m-instruct.jinja": ("<|im_start|>", "<|im_end|>"),
    "gemma-3-270m-it.jinja": ("<bos>", "<eos>"),
    "llama-3-8b-instruct.jinja": ("<|begin_of_text|>", "<|eot_id|>"),
    "llama-3.1-8b-instruct.jinja": ("<|begin_of_text|>", "<|eot_id|>"),
    "qwen2.5-7b-instruct.jinja": ("", "<|im_end|>"),
}

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "현재 날씨를 알려 줍니다 (Get the current weather).",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "City name, e.g. Seoul"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location"],
        },
    },
}
TIME_TOOL = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Current time in a time zone.",
        "parameters": {"type": "object", "properties": {"tz": {"type": "string"}}, "required": []},
    },
}
CALL = {"type": "function", "function": {"name": "get_current_weather", "arguments": {"location": "Seoul", "unit": "celsius"}}}
CALL_2 = {"type": "function", "function": {"name": "get_time", "arguments": {"tz": "Asia/Seoul"}}}

TOOL_CASES = {
    "qwen2.5-7b-instruct.jinja": {
        "tools_user_only": ([msg("user", "서울 날씨 어때?")], {"tools": [WEATHER_TOOL, TIME_TOOL]}),
        "tools_with_system": ([SYSTEM, msg("user", "Weather in Seoul?")], {"tools": [WEATHER_TOOL]}),
        "tool_round_trip": (
            [
                msg("user", "Weather and time in Seoul?"),
                msg("assistant", "", tool_calls=[CALL, CALL_2]),
                msg("tool", '{"temperature": 18, "unit": "celsius"}'),
                msg("tool", "09:26"),
                msg("assistant", "It is 18°C and 09:26 in Seoul."),
                msg("user", "Thanks!"),
            ],
            {"tools": [WEATHER_TOOL, TIME_TOOL]},
        ),
        "tool_call_with_text": (
            [msg("user", "Weather?"), msg("assistant", "Let me check.", tool_calls=[{"function": CALL["function"]}])],
            {"tools": [WEATHER_TOOL]},
        ),
    },
    "llama-3.1-8b-instruct.jinja": {
        "tools_in_user_message": ([SYSTEM, msg("user", "Weather in Seoul?")], {"tools": [WEATHER_TOOL]}),
        "tools_in_system_message": (
            [msg("user", "Weather in Seoul?")],
            {"tools": [WEATHER_TOOL, TIME_TOOL], "tools_in_user_message": False, "date_string": "14 Mar 2025"},
        ),
        "tool_round_trip": (
            [
                msg("user", "Weather in Seoul?"),
                msg("assistant", "", tool_calls=[CALL]),
                msg("tool", {"temperature": 18, "unit": "celsius"}),
                msg("ipython", "plain text result"),
            ],
            {"tools": [WEATHER_TOOL], "tools_in_user_message": False},
        ),
        "builtin_tools": (
            [
                msg("system", "Use tools when needed."),
                msg("user", "Search for Seoul weather."),
                msg("assistant", "", tool_calls=[{"function": {"name": "brave_search", "arguments": {"query": "Seoul weather"}}}]),
                msg("ipython", "Sunny, 18°C"),
            ],
            {"builtin_tools": ["brave_search", "wolfram_alpha", "code_interpreter"]},
        ),
        "two_tool_calls_rejected": (
            [msg("user", "Both?"), msg("assistant", "", tool_calls=[CALL, CALL_2])],
            {"tools": [WEATHER_TOOL, TIME_TOOL], "tools_in_user_message": False},
        ),
        "tools_without_user_message_rejected": ([], {"tools": [WEATHER_TOOL]}),
    },
}


# --- Inline snippets: one Jinja construct each --------------------------------------------------

def snippets():
    s = []

    def add(name, source, **variables):
        s.append((name, source, variables))

    # Whitespace control, trim_blocks, lstrip_blocks, comments, raw.
    add("ws_trim_blocks", "{% if true %}\nyes\n{% endif %}\nend")
    add("ws_lstrip_blocks", "line\n    {% if true %}\n    indented\n    {% endif %}\ndone")
    add("ws_minus_both", "a   {%- if true -%}   b   {%- endif -%}   c")
    add("ws_variable_minus", "x  {{- 'y' -}}  z\n")
    add("ws_variable_no_lstrip", "    {{ 'v' }}\n    {% if true %}w{% endif %}")
    add("ws_plus_disables", "    {%+ if true %}a{% endif +%}\nb")
    add("ws_comment_trim", "a\n  {# comment #}\nb{#- tight -#}   c")
    add("ws_trailing_newline_dropped", "text\n")
    add("ws_crlf", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc")
    add("ws_text_then_tag_same_line", "{{ 'x' }}  {% if true %}y{% endif %}")
    add("ws_raw", "{% raw %}{{ not rendered }} {% if %}{% endraw %}!")
    add("ws_empty", "")
    add("ws_only_text", "plain text, no tags")
    add("ws_single_braces", "a { b } c {x} %} #}")
    add("ws_minus_before_newline", "a\n  {%- if true %}b{% endif %}\n  c")
    add("ws_loop_lines", "<ul>\n{% for x in [1, 2] %}\n  <li>{{ x }}</li>\n{% endfor %}\n</ul>\n")
    add("ws_spaces_after_tag", "{% if true %}   \n{% endif %}|")
    add("ws_leading_tag_indent", "   {% if true %}a{% endif %}\n   {# c #}\n   b")
    add("ws_plus_opener", "x\n    {%+ if true %}y{% endif %}")
    add("ws_minus_comment_block", "a  {#- c -#}  b\n  {#- c #}\nc")
    add("ws_raw_minus", "[{% raw -%}  x  {%- endraw %}]")
    add("ws_minus_multiline", "{%- if true -%}\n\n  a  \n\n{%- endif -%}\n|")
    add("ws_tag_inner_newlines", "{%\n  if true\n%}\nx{%\n endif\n%}\ny")
    add("ws_unicode_spaces", "a\u3000{%- if true -%}\u00a0b{% endif %}")

    # Literals and output.
    add("lit_strings", "{{ 'single' }}|{{ \"double\" }}|{{ 'a' 'b' \"c\" }}|{{ 'it\\'s' }}")
    add("lit_escapes", "{{ 'n:\\n t:\\t x:\\x41 u:\\u00e9 U:\\U0001F600 o:\\101 q:\\q bs:\\\\' }}")
    add("lit_numbers", "{{ 42 }} {{ -7 }} {{ 1_000 }} {{ 3.5 }} {{ 1e3 }} {{ 2.5e-3 }} {{ 0.1 + 0.2 }}")
    add("lit_floats", "{{ 1.0 }} {{ 100.0 }} {{ 1e16 }} {{ 1e15 }} {{ 0.0001 }} {{ 0.00001 }} {{ -0.0 }} {{ 1/3 }} {{ 1e100 }} {{ 123456789.125 }}")
    add("lit_constants", "{{ true }} {{ True }} {{ false }} {{ False }} {{ none }} {{ None }}")
    add("lit_list_repr", "{{ [1, 'a', none, true, 1.5, ['x'], {'k': 'v'}] }}")
    add("lit_dict_repr", "{{ {'a': 1, 'b': 'it\\'s', 'c': 'say \"hi\"', 'd': 'both \\' \"'} }}")
    add("lit_repr_escapes", "{{ ['tab\\there', 'nl\\n', 'bell\\x07', 'é한'] }}")
    add("lit_tuple", "{{ (1, 2) | list }} {% set a, b = 1, 2 %}{{ a }}{{ b }}")
    add("lit_nested_braces", "{{ {'a': {'b': 1}} }}")
    add("lit_tuple_repr", "{{ (1,) }} {{ () }} {{ (1, 'a') }} {{ (1, 2) == [1, 2] }} {{ (1, 2) == (1, 2) }} {{ (1, 2) + (3,) }} {{ [(1, 2)][0][1] }}")

    # Operators.
    add("op_arithmetic", "{{ 7 + 2 }} {{ 7 - 2 }} {{ 7 * 2 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ 7 % 2 }} {{ 2 ** 10 }}")
    add("op_floor_negative", "{{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ -7.5 // 2 }} {{ 7.5 % 2 }} {{ -1 % 5 }}")
    add("op_mixed", "{{ 1 + 1.5 }} {{ 2 * 1.5 }} {{ 10 / 4 }} {{ 1 + true }} {{ 2 ** -1 }} {{ 2 ** 3 ** 2 }}")
    add("op_strings", "{{ 'ab' + 'cd' }} {{ 'ab' ~ 1 ~ none ~ true }} {{ 'ab' * 3 }} {{ 3 * '-' }} {{ [1] * 2 }} {{ [1] + [2] }}")
    add("op_precedence", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 'x' ~ (1 + 2) }} {{ -2 ** 2 }} {{ not true or true }} {{ (1 + 2) ~ 3 }}")
    add("op_filter_binds_tight", "{{ 'a' + '  b  ' | trim + 'c' }} {{ -3 | abs }}")
    add("op_compare", "{{ 1 < 2 }} {{ 2 <= 2 }} {{ 3 > 4 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' != 'a' }}")
    add("op_compare_chain", "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1 == 1 }}")
    add("op_in", "{{ 'a' in 'cat' }} {{ 'z' not in 'cat' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'v' in {'k': 'v'} }} {{ '' in 'x' }}")
    add("op_logic_values", "[{{ true and 'x' }}] [{{ 0 or 'y' }}] [{{ '' and 1 }}] [{{ none or [] }}] [{{ not 0 }}]")
    add("op_conditional", "{{ 'y' if true else 'n' }} {{ 'y' if false else 'n' }} [{{ 'y' if false }}] {{ 1 if x is defined else 2 }}")
    add("op_unicode_compare", "{{ 'é' == 'e\u0301' }} {{ '가' < '나' }} {{ 'Z' < 'a' }}")

    # Variables, attributes, subscripts, slices.
    add("var_attribute_and_item", "{{ m.role }} {{ m['content'] }} {{ m.missing }}|{{ m['missing'] }}|", m={"role": "user", "content": "hi"})
    add("var_method_vs_key", "{{ d.items()|list }} {{ d['items'] }}", d={"items": "key wins for []"})
    add("var_index", "{{ xs[0] }} {{ xs[-1] }} [{{ xs[10] }}] {{ 'abc'[1] }} {{ xs.1 }}", xs=["a", "b", "c"])
    add("var_slices", "{{ xs[1:] }} {{ xs[:-1] }} {{ xs[::-1] }} {{ xs[::2] }} {{ xs[-5:2] }} {{ xs[5:] }} {{ 'hello'[1:4] }} {{ '안녕하세요'[2:] }}", xs=[1, 2, 3, 4])
    add("var_undefined_renders_empty", "[{{ nothing }}] {{ nothing is defined }} {{ nothing | length }} [{{ nothing | trim }}] {{ nothing ~ 'q' }} {{ not nothing }}")
    add("var_undefined_loops_empty", "{% for x in nothing %}x{% else %}empty{% endfor %} {{ nothing | list }} [{{ nothing | join }}] [{{ nothing | first }}]")
    add("var_undefined_compare", "{{ 'a' == nothing }} {{ nothing == nothing }} {{ nothing != none }} {{ nothing is none }} {{ nothing is iterable }}")
    add("var_none_attribute", "[{{ none.foo }}] [{{ none['x'] }}] [{{ (3).real_thing }}]")

    # Statements.
    add("if_elif_else", "{% for n in [1, 2, 3] %}{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %} {% endfor %}")
    add("for_loop_variables", "{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }} {% endfor %}")
    add("for_prev_next_cycle", "{% for x in [1, 2, 3] %}[{{ loop.previtem }}|{{ loop.nextitem }}|{{ loop.cycle('odd', 'even') }}]{% endfor %}")
    add("for_else", "{% for x in [] %}x{% else %}nothing{% endfor %}")
    add("for_filter", "{% for x in [1, 2, 3, 4] if x is even %}{{ x }}:{{ loop.index }}/{{ loop.length }} {% endfor %}")
    add("for_break_continue", "{% for x in range(10) %}{% if x is odd %}{% continue %}{% endif %}{{ x }}{% if x >= 6 %}{% break %}{% endif %}{% endfor %}")
    add("for_dict", "{% for k in d %}{{ k }}{% endfor %} {% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %} {% for k, v in d | items %}{{ k }}{{ v }}{% endfor %}", d={"b": 1, "a": 2})
    add("for_string", "{% for c in '한글' %}[{{ c }}]{% endfor %}")
    add("for_nested_outer_loop", "{% for a in [1, 2] %}{% set outer = loop %}{% for b in 'xy' %}{{ outer.index }}{{ loop.index }}{{ b }} {% endfor %}{% endfor %}")
    add("for_unpack_pairs", "{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }} {% endfor %}{% for (a, b) in [['x', 'y']] %}{{ a }}{{ b }}{% endfor %}")
    add("scope_set_in_loop", "{% set x = 1 %}{% for i in [1, 2] %}{{ x }}{% set x = 2 %}{{ x }}{% endfor %}{{ x }}")
    add("scope_set_in_if", "{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}")
    add("scope_loop_iteration_reset", "{% for i in [1, 2, 3] %}{% if i == 1 %}{% set y = 'a' %}{% endif %}[{{ y }}]{% endfor %}")
    add("namespace", "{% set ns = namespace(found=false, count=0) %}{% for x in [1, 2, 3] %}{% if x == 2 %}{% set ns.found = true %}{% endif %}{% set ns.count = ns.count + x %}{% endfor %}{{ ns.found }} {{ ns.count }}")
    add("namespace_empty_then_set", "{% set ns = namespace() %}{% set ns.index = 0 %}{% for m in [1, 2] %}{% set ns.index = ns.index + 1 %}{% endfor %}{{ ns.index }}")
    add("set_block", "{% set x %}a{{ 1 + 1 }}b{% endset %}[{{ x }}] {% set y | upper %}shout{% endset %}{{ y }}")
    add("macro", "{% macro tag(name, value='none') %}<{{ name }}={{ value }}>{% endmacro %}{{ tag('a') }}{{ tag('b', 2) }}{{ tag(value=3, name='c') }}")
    add("macro_scope", "{% set top = 'T' %}{% macro m() %}{{ top }}{% set top = 'inner' %}{{ top }}{% endmacro %}{{ m() }}{{ top }}")
    add("with_block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]")
    add("filter_block", "{% filter upper %}hello {{ 'world' }}{% endfilter %}")
    add("generation_tag", "{% for m in ['a', 'b'] %}{% generation %}[{{ m }}]{% endgeneration %}{% endfor %}")
    add("print_statement", "{% print 'printed' %}")

    # Filters.
    add("f_trim", "[{{ '  x y  ' | trim }}] [{{ 'xxhixx' | trim('x') }}] [{{ '\\n\\t 한글 \\u3000' | trim }}]")
    add("f_case", "{{ 'hello WORLD' | upper }} {{ 'HeLLo' | lower }} {{ 'hELLO wORLD' | capitalize }} {{ 'hello wORLD-foo (bar [baz <q' | title }}")
    add("f_length", "{{ 'abc' | length }} {{ '한국어' | length }} {{ [1, 2] | length }} {{ {'a': 1} | length }} {{ 'e\u0301' | count }}")
    add("f_replace", "{{ 'a-b-c' | replace('-', '+') }} {{ 'a-b-c' | replace('-', '', 1) }} {{ 'abc' | replace('', '.') }}")
    add("f_join", "{{ ['a', 'b'] | join }} {{ ['a', 'b'] | join(', ') }} {{ [1, 2] | join('-') }} {{ [{'n': 'x'}, {'n': 'y'}] | join(',', attribute='n') }}")
    add("f_first_last", "{{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ 'abc' | first }} {{ 'abc' | last }} [{{ [] | first }}]")
    add("f_default", "{{ nothing | default('d') }} {{ none | default('d') }} {{ '' | default('d') }} {{ '' | default('d', true) }} {{ nothing | d('short') }} {{ 'v' | default('d') }}")
    add("f_tojson", "{{ {'b': 1, 'a': [1, 'x', none, 1.5, true, false]} | tojson }} {{ 'é\\n\"<>&' | tojson }} {{ [] | tojson }} {{ {} | tojson }}")
    add("f_tojson_options", "{{ {'b': [1, {'c': 2}], 'a': {}} | tojson(indent=2) }}|{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }}|{{ '한' | tojson(ensure_ascii=true) }}|{{ [1, 2] | tojson(separators=[',', ':']) }}")
    add("f_tojson_variable", "{{ tool | tojson }}\n{{ tool | tojson(indent=4) }}", tool=WEATHER_TOOL)
    add("f_string_int_float", "{{ 42 | string }} {{ [1] | string }} {{ '42' | int + 1 }} {{ '3.9' | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ 3.9 | int }} {{ '2.5' | float }} {{ 2 | float }} {{ ' 12 ' | int }}")
    add("f_list_items", "{{ 'abc' | list }} {{ {'a': 1, 'b': 2} | list }} {{ {'a': 1} | items | list }}")
    add("f_safe", "{{ '<b>' | safe }}")
    add("f_map_select", "{{ ['a', 'b'] | map('upper') | join }} {{ [{'n': 1}, {'m': 2}] | map(attribute='n', default=0) | list }} {{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3] | reject('equalto', 2) | list }}")
    add("f_selectattr", "{{ ms | selectattr('role', 'equalto', 'user') | map(attribute='content') | join('|') }} {{ ms | rejectattr('role', 'equalto', 'user') | list | length }} {{ [{'a': 0}, {'a': 1}] | selectattr('a') | list }}", ms=[msg("user", "u1"), msg("assistant", "a1"), msg("user", "u2")])
    add("f_sort_unique_reverse", "{{ ['b', 'A', 'c'] | sort }} {{ [3, 1, 2] | sort(reverse=true) }} {{ ['b', 'A', 'a', 'B'] | unique | list }} {{ [1, 2] | reverse | list }} {{ 'abc' | reverse }}")
    add("f_sum_abs", "{{ [1, 2, 3] | sum }} {{ [{'v': 1}, {'v': 2}] | sum(attribute='v') }} {{ -3 | abs }} {{ -2.5 | abs }}")
    add("f_unicode_case", "{{ '한국어 text' | upper }} {{ 'straße' | upper }} {{ 'ǆemal' | capitalize }} {{ 'ﬁne' | upper }} {{ 'ΣΑΣ' | lower }} {{ 'éCOLE' | title }}")
    add("f_indent", "{{ 'a\\nb\\n\\nc' | indent }}|{{ 'a\\nb' | indent(2, true) }}|{{ 'a\\n\\nb' | indent(2, blank=true) }}")

    # Tests.
    add("t_types", "{{ 'a' is string }} {{ 1 is number }} {{ 1.5 is float }} {{ 1 is integer }} {{ true is integer }} {{ true is boolean }} {{ none is none }} {{ {} is mapping }} {{ [] is sequence }} {{ 'a' is iterable }} {{ 1 is iterable }}")
    add("t_values", "{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ 2 is eq 2 }} {{ 'x' is lower }} {{ 'X' is upper }} {{ true is true }} {{ 1 is true }} {{ 2 is in [1, 2] }} {{ none is sameas none }}")
    add("t_defined", "{{ x is defined }} {{ x is not defined }} {{ y is defined }} {{ y is undefined }} {{ y.z is defined }}", y={"a": 1})
    add("t_not", "{{ x is not none }} {{ not x is none }} {{ 'a' is not string }}", x=None)

    # Methods.
    add("m_strip", "[{{ '  a  '.strip() }}] [{{ '  a  '.lstrip() }}] [{{ '  a  '.rstrip() }}] [{{ 'xxaxx'.strip('x') }}]")
    add("m_starts_ends", "{{ 'hello'.startswith('he') }} {{ 'hello'.endswith('lo') }} {{ 'hello'.startswith(('x', 'h')) }} {{ '안녕'.startswith('안') }}")
    add("m_split", "{{ ' a  b c '.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a b c'.split(' ', 1) }} {{ ' a b '.split(' ') }} {{ 'a  b  c'.split(none, 1) }} {{ '<think>x</think>answer'.split('</think>')[-1] }}")
    add("m_case", "{{ 'ab cd'.upper() }} {{ 'AB'.lower() }} {{ \"they're bill's\".title() }} {{ 'hELLO'.capitalize() }}")
    add("m_misc", "{{ 'a-b'.replace('-', '+') }} {{ '-'.join(['a', 'b']) }} {{ 'banana'.count('a') }} {{ 'banana'.find('n') }} {{ 'x'.find('z') }} {{ '12'.isdigit() }} {{ 'ab'.isalpha() }} {{ ' '.isspace() }}")
    add("m_dict", "{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 'dflt') }} {{ d.keys() | list }} {{ d.values() | list }} {% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %}", d={"a": 1, "b": 2})
    add("m_list", "{{ [1, 2, 3].index(2) }} {{ [1, 1, 2].count(1) }}")

    # Globals.
    add("g_range", "{{ range(3) | list }} {{ range(1, 10, 3) | list }} {{ range(5, 0, -2) | list }} {{ range(0) | list }}")
    add("g_dict", "{{ dict(a=1, b='x') }}")
    add("g_range_extremes", "{{ range(0, 9223372036854775807, 4611686018427387904) | list }} {{ range(5, -9223372036854775807, -4611686018427387904) | list }}")
    add("g_namespace_cycle_repr", "{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}")
    add("f_sort_unique_large", "{{ range(100000) | reverse | sort | first }} {{ range(100000) | unique | list | length }} {{ [1, 1.0, true, '1', 'e\u0301', '\u00e9'] | unique | list }}")
    add("g_strftime_now", "{{ strftime_now('%d %b %Y') }} {{ strftime_now('%Y-%m-%d %H:%M:%S %A %B %j') }}")
    add("g_raise", "{% if true %}{{ raise_exception('custom refusal: 한국어 message') }}{% endif %}")

    # Errors at render time (Python exceptions; the Swift side must fail too, messages aside).
    add("err_undefined_attribute", "{{ nothing.attr }}")
    add("err_undefined_arithmetic", "{{ nothing + 1 }}")
    add("err_str_plus_int", "{{ 'a' + 1 }}")
    add("err_concat_binds_tighter_than_plus", "{{ 'x' ~ 1 + 2 }}")
    add("err_compare_types", "{{ 1 < 'a' }}")
    add("err_zero_division", "{{ 1 // 0 }}")
    add("err_not_iterable", "{% for x in 5 %}{% endfor %}")
    add("err_none_length", "{{ none | length }}")
    add("err_unsafe_append", "{{ [1].append(2) }}")
    add("err_call_non_callable", "{{ 'x'() }}")
    add("err_items_on_list", "{{ [1] | items | list }}")
    add("err_unpack_count", "{% for a, b in [[1, 2, 3]] %}{% endfor %}")
    add("err_namespace_assign", "{% set x = 1 %}{% set x.y = 2 %}")
    add("err_range_too_big", "{{ range(1000000) | length }}")
    # Unknown filters and tests: a load-time error, except inside `if` or an inline conditional.
    add("unknown_filter_top_level", "{{ 'x' | nosuchfilter }}")
    add("unknown_filter_in_untaken_if", "{% if false %}{{ 'x' | nosuchfilter }}{% elif false and 'x' is nosuchtest %}{% endif %}ok")
    add("unknown_test_in_evaluated_elif", "{% if false %}{% elif 'x' is nosuchtest %}{% endif %}")
    add("unknown_filter_in_taken_if", "{% if true %}{{ 'x' | nosuchfilter }}{% endif %}")
    add("unknown_filter_in_conditional", "{{ 'x' | nosuchfilter if false else 'y' }} {{ 'z' if true else 1 | nosuchfilter }}")
    add("unknown_filter_in_loop_in_if", "{% if false %}{% for x in [1] %}{{ x | nosuchfilter }}{% endfor %}{% endif %}")
    add("unknown_filter_in_if_in_loop", "{% for x in [1] %}{% if false %}{{ x | nosuchfilter }}{% endif %}{% endfor %}ok")
    add("unknown_filter_in_set_value_in_if", "{% if false %}{% set y = 1 | nosuchfilter %}{% endif %}ok")
    return s


# --- Putting it together ------------------------------------------------------------------------

def template_source(name):
    with open(os.path.join(TEMPLATES, name), encoding="utf-8", newline="") as f:
        return f.read()


def context(messages, generation, bos, eos, extra):
    variables = {"tools": None, "documents": None}
    variables.update(extra)
    variables.update(messages=messages, add_generation_prompt=generation, bos_token=bos, eos_token=eos)
    return variables


def case(name, messages, generation, bos, eos, extra, template=None, source=None):
    result = render(source if source is not None else template_source(template), context(messages, generation, bos, eos, extra))
    return {
        "name": name,
        "template": template,
        "source": source,
        "messages": typed(messages),
        "add_generation_prompt": generation,
        "bos_token": bos,
        "eos_token": eos,
        "extra": typed(extra),
        **result,
    }


def build_cases():
    cases = []
    for template, (bos, eos) in FAMILIES.items():
        family = template.removesuffix(".jinja")
        for conversation, messages in {**CONVERSATIONS, **REJECTED}.items():
            for generation in (False, True):
                suffix = "gen" if generation else "nogen"
                cases.append(case(f"{family}/{conversation}/{suffix}", messages, generation, bos, eos, {}, template=template))
        for tool_case, (messages, extra) in TOOL_CASES.get(template, {}).items():
            cases.append(case(f"{family}/{tool_case}/gen", messages, True, bos, eos, extra, template=template))
    for name, source, variables in snippets():
        cases.append(case(f"construct/{name}", [], False, "<s>", "</s>", variables, source=source))
    return cases


def check_gguf(models):
    from gguf import GGUFReader  # only needed for this check

    path = os.path.join(models, "SmolLM2-135M-Instruct.Q4_1.gguf")
    embedded = GGUFReader(path).fields["tokenizer.chat_template"].contents()
    if embedded != template_source("smollm2-135m-instruct.jinja"):
        sys.exit(f"templates/smollm2-135m-instruct.jinja differs from the template in {path}")
    print(f"templates/smollm2-135m-instruct.jinja matches {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check-gguf", metavar="MODELS_DIR", help="compare the SmolLM2 template with its GGUF")
    args = parser.parse_args()
    if args.check_gguf:
        check_gguf(args.check_gguf)
    cases = build_cases()
    document = {
        "generator": "Tests/NuriEngineTests/Fixtures/chat/generate.py",
        "jinja2_version": jinja2.__version__,
        "fixed_now_utc": FIXED_NOW.isoformat() + "Z",
        "cases": cases,
    }
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as f:
        json.dump(document, f, ensure_ascii=False, indent=1)
        f.write("\n")
    failures = sum(1 for c in cases if c["error"])
    print(f"wrote {len(cases)} cases ({failures} expected errors) to {os.path.relpath(OUTPUT)}")


if __name__ == "__main__":
    main()
