// tokref: prints reference figures from llama.cpp's own tokenizer (linked as libllama), so the
// Nuri tokenizer tests compare against llama.cpp itself rather than a re-implementation.
//
//   tokref tok   MODEL.gguf  < hex-lines   ids for every (add_special, parse_special) pair + detokenized text
//   tokref detok MODEL.gguf  < id-lines    "remove_special unparse_special id,id,..." -> detokenized text (hex)
//   tokref vocab MODEL.gguf                special ids, flags, attribute runs, EOG ids, digests of all pieces
//   tokref split             < lines       "PRESET hex" -> the pre-tokenizer's words (unicode_regex_split)
//
// Inputs and outputs carry text as hex so any byte sequence survives. One JSON object per line.
#include "llama.h"
#include "unicode.h"
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

static std::string unhex(const std::string & h) {
    std::string out;
    for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back((char) std::stoi(h.substr(i, 2), nullptr, 16));
    return out;
}
static std::string hex(const std::string & s) {
    static const char * d = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) { out.push_back(d[c >> 4]); out.push_back(d[c & 15]); }
    return out;
}
static std::vector<llama_token> tok(const llama_vocab * v, const std::string & s, bool add, bool parse) {
    std::vector<llama_token> ids(s.size() * 2 + 16);
    int n = llama_tokenize(v, s.data(), (int) s.size(), ids.data(), (int) ids.size(), add, parse);
    if (n < 0) { ids.resize(-n); n = llama_tokenize(v, s.data(), (int) s.size(), ids.data(), (int) ids.size(), add, parse); }
    ids.resize(n);
    return ids;
}
static std::string detok(const llama_vocab * v, const std::vector<llama_token> & ids, bool remove, bool unparse) {
    std::vector<char> buf(64 + ids.size() * 64);
    int m = llama_detokenize(v, ids.data(), (int) ids.size(), buf.data(), (int) buf.size(), remove, unparse);
    if (m < 0) { buf.resize(-m); m = llama_detokenize(v, ids.data(), (int) ids.size(), buf.data(), (int) buf.size(), remove, unparse); }
    return std::string(buf.data(), m < 0 ? 0 : m);
}
static void arr(const std::vector<llama_token> & ids) {
    printf("[");
    for (size_t i = 0; i < ids.size(); i++) printf(i ? ",%d" : "%d", ids[i]);
    printf("]");
}
static const llama_vocab * load(const char * path) {
    if (!getenv("TOKREF_LOG")) llama_log_set([](ggml_log_level, const char *, void *) {}, nullptr);
    llama_backend_init();
    auto mp = llama_model_default_params();
    mp.vocab_only = true;
    llama_model * model = llama_model_load_from_file(path, mp);
    if (!model) { fprintf(stderr, "load failed: %s\n", path); exit(1); }
    return llama_model_get_vocab(model);
}
// FNV-1a 64 over (length as 4 little-endian bytes, bytes) of each piece, in id order.
struct fnv { uint64_t h = 0xcbf29ce484222325ULL; void add(const void * p, size_t n) { auto b = (const uint8_t *) p; for (size_t i = 0; i < n; i++) { h ^= b[i]; h *= 0x100000001b3ULL; } } };

// The pre-tokenizer regex lists, as llm_tokenizer_bpe sets them in llama-vocab.cpp for each type.
static std::map<std::string, std::vector<std::string>> presets() {
    const std::string gpt2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    return {
        { "gpt2",    { gpt2 } },
        { "smollm",  { "\\p{N}", gpt2 } },
        { "default", { "[\\p{P}\\$\\+<=>\\^~\\|]+", gpt2, "\\p{N}+", "[0-9][0-9][0-9]" } },
        { "llama3",  { "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" } },
        { "qwen2",   { "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" } },
    };
}

int main(int argc, char ** argv) {
    if (argc < 2) { fprintf(stderr, "usage: see source\n"); return 1; }
    std::string mode = argv[1];
    std::string line;
    if (mode == "split") {
        auto p = presets();
        while (std::getline(std::cin, line)) {
            std::istringstream in(line);
            std::string preset, h;
            in >> preset >> h;
            auto words = unicode_regex_split(unhex(h), p.at(preset), false);
            printf("[");
            for (size_t i = 0; i < words.size(); i++) printf(i ? ",\"%s\"" : "\"%s\"", hex(words[i]).c_str());
            printf("]\n");
        }
        return 0;
    }
    if (argc < 3) { fprintf(stderr, "model path missing\n"); return 1; }
    const llama_vocab * v = load(argv[2]);
    if (mode == "tok") {
        while (std::getline(std::cin, line)) {
            std::string text = unhex(line);
            auto ap = tok(v, text, true, true);
            auto nn = tok(v, text, false, false);
            printf("{\"add_parse\":"); arr(ap);
            printf(",\"add_noparse\":"); arr(tok(v, text, true, false));
            printf(",\"noadd_parse\":"); arr(tok(v, text, false, true));
            printf(",\"noadd_noparse\":"); arr(nn);
            printf(",\"decoded\":\"%s\"", hex(detok(v, nn, false, false)).c_str());
            printf(",\"decoded_add_parse_special\":\"%s\"", hex(detok(v, ap, false, true)).c_str());
            printf(",\"decoded_add_parse_removed\":\"%s\"}\n", hex(detok(v, ap, true, false)).c_str());
            fflush(stdout);
        }
    } else if (mode == "detok") {
        while (std::getline(std::cin, line)) {
            std::istringstream in(line);
            int remove = 0, unparse = 0;
            std::string list;
            in >> remove >> unparse >> list;
            std::vector<llama_token> ids;
            std::stringstream ls(list);
            std::string item;
            while (std::getline(ls, item, ',')) if (!item.empty()) ids.push_back(std::stoi(item));
            printf("\"%s\"\n", hex(detok(v, ids, remove, unparse)).c_str());
        }
    } else if (mode == "vocab") {
        const int n = llama_vocab_n_tokens(v);
        printf("{\"n_tokens\":%d,\"bos\":%d,\"eos\":%d,\"eot\":%d,\"sep\":%d,\"nl\":%d,\"pad\":%d,\"mask\":%d", n,
               llama_vocab_bos(v), llama_vocab_eos(v), llama_vocab_eot(v), llama_vocab_sep(v), llama_vocab_nl(v), llama_vocab_pad(v), llama_vocab_mask(v));
        printf(",\"fim\":[%d,%d,%d,%d,%d,%d]", llama_vocab_fim_pre(v), llama_vocab_fim_suf(v), llama_vocab_fim_mid(v), llama_vocab_fim_pad(v), llama_vocab_fim_rep(v), llama_vocab_fim_sep(v));
        printf(",\"add_bos\":%s,\"add_eos\":%s", llama_vocab_get_add_bos(v) ? "true" : "false", llama_vocab_get_add_eos(v) ? "true" : "false");
        // attribute runs: [first id, count, attr] for consecutive ids sharing an attribute
        printf(",\"attr_runs\":[");
        int start = 0; int first = 1;
        for (int i = 1; i <= n; i++) {
            if (i == n || llama_vocab_get_attr(v, i) != llama_vocab_get_attr(v, start)) {
                printf(first ? "[%d,%d,%d]" : ",[%d,%d,%d]", start, i - start, (int) llama_vocab_get_attr(v, start));
                first = 0; start = i;
            }
        }
        printf("],\"eog\":[");
        first = 1;
        for (int i = 0; i < n; i++) if (llama_vocab_is_eog(v, i)) { printf(first ? "%d" : ",%d", i); first = 0; }
        printf("]");
        for (int special = 0; special < 2; special++) {
            fnv f; std::vector<char> buf(4096);
            for (int i = 0; i < n; i++) {
                int m = llama_token_to_piece(v, i, buf.data(), (int) buf.size(), 0, special);
                uint32_t len = m < 0 ? 0 : m;
                f.add(&len, 4); f.add(buf.data(), len);
            }
            printf(special ? ",\"pieces_special_fnv\":\"%016llx\"" : ",\"pieces_fnv\":\"%016llx\"", (unsigned long long) f.h);
        }
        printf("}\n");
    }
    return 0;
}
