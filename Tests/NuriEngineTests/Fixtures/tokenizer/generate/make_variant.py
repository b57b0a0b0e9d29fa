#!/usr/bin/env python3
"""Writes a vocabulary-only copy of a GGUF file (all metadata, no tensors) with some keys
replaced or added: make_variant.py SOURCE DEST key=value...

A value replaces the key's value in its original type; a key the source lacks is added as a
boolean if the value is true/false, else as a string; `key[i]=value` replaces one element of
an array of strings (say, a token's text). llama.cpp loads such a file with
vocab_only, so the fixtures can cover pre-tokenizers and flags the two models do not use.
"""
import sys

from gguf import GGUFReader, GGUFValueType, GGUFWriter

src, dst = sys.argv[1], sys.argv[2]
overrides = dict(argument.split("=", 1) for argument in sys.argv[3:])
elements = {}
for key in [k for k in overrides if k.endswith("]")]:
    name, index = key[:-1].split("[")
    elements.setdefault(name, {})[int(index)] = overrides.pop(key)
reader = GGUFReader(src)
writer = GGUFWriter(dst, reader.fields["general.architecture"].contents())
for key, field in reader.fields.items():
    if key.startswith("GGUF.") or key == "general.architecture":
        continue
    kind = field.types[0]
    sub = field.types[1] if kind == GGUFValueType.ARRAY else None
    value = field.contents()
    if key in overrides:
        value = overrides.pop(key)
        if kind == GGUFValueType.BOOL:
            value = value == "true"
    for index, element in elements.get(key, {}).items():
        value[index] = element
    writer.add_key_value(key, value, kind, sub)
for key, value in overrides.items():
    if value in ("true", "false"):
        writer.add_key_value(key, value == "true", GGUFValueType.BOOL)
    else:
        writer.add_key_value(key, value, GGUFValueType.STRING)
writer.write_header_to_file()
writer.write_kv_data_to_file()
writer.write_tensors_to_file()
writer.close()
