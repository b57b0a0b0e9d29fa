// Dumps llama.cpp's codepoint flags as ranges: "start flags" whenever flags change (cpt < 0x110000).
#include "unicode.h"
#include <cstdio>
int main() {
    unsigned prev = 0xFFFFFFFF;
    for (unsigned c = 0; c < 0x110000; c++) {
        unsigned f = unicode_cpt_flags_from_cpt(c).as_uint() & 0x01FF; // categories + whitespace
        if (f != prev) { printf("%X %X\n", c, f); prev = f; }
    }
}
