# Writes a vocabulary-only copy of a GGUF (all metadata, no tensors) with some keys replaced.
import sys
from gguf import GGUFReader, GGUFWriter, GGUFValueType
src, dst = sys.argv[1], sys.argv[2]
overrides = dict(a.split('=', 1) for a in sys.argv[3:])
r = GGUFReader(src)
arch = r.fields['general.architecture'].contents()
w = GGUFWriter(dst, arch)
for key, field in r.fields.items():
    if key.startswith('GGUF.') or key == 'general.architecture':
        continue
    vtype = field.types[0]
    sub = field.types[1] if vtype == GGUFValueType.ARRAY else None
    val = field.contents()
    if key in overrides:
        val = overrides[key]
        if vtype == GGUFValueType.BOOL:
            val = val == 'true'
    w.add_key_value(key, val, vtype, sub)
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
