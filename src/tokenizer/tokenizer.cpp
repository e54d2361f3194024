// Byte-level BPE tokenizer (GPT-2 / tiktoken r50k_base compatible). See tokenizer.h.
//
// Dimension legend: n = bytes in the input, P = bytes in one pre-token piece, V = vocabulary size.
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <queue>

#include <nlohmann/json.hpp>

#include "tokenizer/unicode_tables.h"

// ----------------------------------------------------------------------------------------------------
// Unicode classes

static const char* EOT_TEXT = "<|endoftext|>";

// Class of every ASCII byte, so the common case never searches the range table.
struct AsciiClasses {
    uint8_t cls[128];
    AsciiClasses() {
        for (int c = 0; c < 128; c++) {
            cls[c] = UCLASS_OTHER;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) cls[c] = UCLASS_LETTER;
            if (c >= '0' && c <= '9') cls[c] = UCLASS_NUMBER;
            if (c == ' ' || (c >= 0x09 && c <= 0x0D)) cls[c] = UCLASS_SPACE;
        }
    }
};
static const AsciiClasses ascii_classes;

static int codepoint_class(uint32_t cp) {
    if (cp < 128) return ascii_classes.cls[cp];
    int lo = 0, hi = unicode_class_count - 1;
    while (lo <= hi) {  // binary search over sorted disjoint ranges
        int mid = (lo + hi) >> 1;
        const UnicodeRange& r = unicode_class_ranges[mid];
        if (cp < r.lo) hi = mid - 1;
        else if (cp > r.hi) lo = mid + 1;
        else return r.cls;
    }
    return UCLASS_OTHER;
}

const char* tokenizer_unicode_version() { return UNICODE_TABLES_VERSION; }
int tokenizer_codepoint_class(uint32_t cp) { return codepoint_class(cp); }

// Decodes the code point at s[i] (i < n). Returns its byte length; an invalid byte counts as one
// code point of class OTHER (the pre-tokenizer must never stall on unsanitized input).
static inline int utf8_decode(const uint8_t* s, int n, int i, uint32_t* cp) {
    uint8_t b0 = s[i];
    if (b0 < 0x80) { *cp = b0; return 1; }
    int len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
    if (len == 0 || i + len > n) { *cp = 0xFFFD; return 1; }
    uint32_t c = b0 & (0x7F >> len);
    for (int k = 1; k < len; k++) {
        if ((s[i + k] & 0xC0) != 0x80) { *cp = 0xFFFD; return 1; }
        c = (c << 6) | (s[i + k] & 0x3F);
    }
    *cp = c;
    return len;
}

static inline int class_at(const uint8_t* s, int n, int i, int* len) {
    if (s[i] < 0x80) { *len = 1; return ascii_classes.cls[s[i]]; }
    uint32_t cp;
    *len = utf8_decode(s, n, i, &cp);
    return codepoint_class(cp);
}

// ----------------------------------------------------------------------------------------------------
// UTF-8 sanitizing

// Length of the valid UTF-8 sequence at s[i], or -(length of the maximal invalid subpart), or
// 0 for a well-formed encoded surrogate (3 bytes).
static inline int utf8_check(const uint8_t* s, size_t n, size_t i) {
    uint8_t b0 = s[i];
    if (b0 < 0x80) return 1;
    int need;
    uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) need = 1;
    else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) {  // surrogates D800..DFFF are ED A0..BF xx
            if (i + 2 < n && s[i + 1] >= 0xA0 && s[i + 1] <= 0xBF && (s[i + 2] & 0xC0) == 0x80) return 0;
            hi = 0x9F;
        }
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else return -1;
    if (i + 1 >= n || s[i + 1] < lo || s[i + 1] > hi) return -1;
    for (int k = 2; k <= need; k++) {
        if (i + k >= n || (s[i + k] & 0xC0) != 0x80) return -k;
    }
    return need + 1;
}

bool tokenizer_is_valid_utf8(std::string_view text) {
    const uint8_t* s = (const uint8_t*)text.data();
    size_t n = text.size();
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) { i++; continue; }
        int len = utf8_check(s, n, i);
        if (len <= 0) return false;
        i += len;
    }
    return true;
}

std::string tokenizer_sanitize_utf8(std::string_view text) {
    static const char REPLACEMENT[] = "\xEF\xBF\xBD";  // U+FFFD
    const uint8_t* s = (const uint8_t*)text.data();
    size_t n = text.size();
    std::string out;
    out.reserve(n);
    for (size_t i = 0; i < n;) {
        int len = utf8_check(s, n, i);
        if (len > 0) {
            out.append(text.data() + i, len);
            i += len;
        } else {
            out.append(REPLACEMENT, 3);
            i += len == 0 ? 3 : -len;
        }
    }
    return out;
}

// ----------------------------------------------------------------------------------------------------
// Pre-tokenizer:  's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// Every code point is matched by some alternative, so the pieces tile the text. The alternatives
// are tried in order at each start; all are plain greedy runs except \s+(?!\S), which backtracks
// one code point when the whitespace run is followed by a non-space (leaving that last space to
// prefix the next word, e.g. "a   b" -> "a", "  ", " b").

// Length in bytes of the piece starting at i (i < n).
static int pretoken_length(const uint8_t* s, int n, int i) {
    // 's 't 're 've 'm 'll 'd  (case-sensitive, as in GPT-2)
    if (s[i] == '\'' && i + 1 < n) {
        uint8_t c1 = s[i + 1];
        if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return 2;
        if (i + 2 < n) {
            uint8_t c2 = s[i + 2];
            if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) return 3;
        }
    }
    int len0;
    int cls = class_at(s, n, i, &len0);
    int j = i + len0;
    // ` ?X+` for X in {L, N, other}: an ASCII space joins the run that follows it
    if (s[i] == ' ' && j < n) {
        int len1;
        int cls1 = class_at(s, n, j, &len1);
        if (cls1 != UCLASS_SPACE) {
            cls = cls1;
            j += len1;
        }
    }
    if (cls != UCLASS_SPACE) {
        while (j < n) {
            int len;
            if (class_at(s, n, j, &len) != cls) break;
            j += len;
        }
        return j - i;
    }
    // whitespace run [i, j); remember where its last code point starts
    int last = i;
    while (j < n) {
        int len;
        if (class_at(s, n, j, &len) != UCLASS_SPACE) break;
        last = j;
        j += len;
    }
    if (j == n) return j - i;         // \s+(?!\S) at the end of text
    if (last > i) return last - i;    // \s+(?!\S) backtracked by one code point
    return j - i;                     // \s+ : a single space before a non-space
}

std::vector<std::pair<int, int>> tokenizer_pretokenize(std::string_view utf8) {
    std::vector<std::pair<int, int>> pieces;
    const uint8_t* s = (const uint8_t*)utf8.data();
    int n = (int)utf8.size();
    for (int i = 0; i < n;) {
        int len = pretoken_length(s, n, i);
        pieces.push_back({i, i + len});
        i += len;
    }
    return pieces;
}

// ----------------------------------------------------------------------------------------------------
// Bytes <-> unicode stand-ins (GPT-2 encoder.py bytes_to_unicode)

struct ByteUnicode {
    uint32_t byte_to_cp[256];
    int order[256];  // byte values in vocabulary order
    ByteUnicode() {
        int k = 0, extra = 0;
        for (int b = 0; b < 256; b++) {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            if (printable) { byte_to_cp[b] = b; order[k++] = b; }
        }
        for (int b = 0; b < 256; b++) {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            if (!printable) { byte_to_cp[b] = 256 + extra++; order[k++] = b; }
        }
    }
    int cp_to_byte(uint32_t cp) const {  // -1 if cp is no stand-in
        if (cp < 256) return byte_to_cp[cp] == cp ? (int)cp : -1;
        if (cp < 256 + 68) {
            for (int b = 0; b < 256; b++) if (byte_to_cp[b] == cp) return b;
        }
        return -1;
    }
};
static const ByteUnicode byte_unicode;

void tokenizer_byte_order(int order[256]) { memcpy(order, byte_unicode.order, sizeof(byte_unicode.order)); }

static void utf8_append(std::string& out, uint32_t cp) {
    if (cp < 0x80) out += (char)cp;
    else if (cp < 0x800) { out += (char)(0xC0 | (cp >> 6)); out += (char)(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) {
        out += (char)(0xE0 | (cp >> 12)); out += (char)(0x80 | ((cp >> 6) & 0x3F)); out += (char)(0x80 | (cp & 0x3F));
    } else {
        out += (char)(0xF0 | (cp >> 18)); out += (char)(0x80 | ((cp >> 12) & 0x3F));
        out += (char)(0x80 | ((cp >> 6) & 0x3F)); out += (char)(0x80 | (cp & 0x3F));
    }
}

std::string tokenizer_bytes_to_unicode(std::string_view bytes) {
    std::string out;
    for (unsigned char b : bytes) utf8_append(out, byte_unicode.byte_to_cp[b]);
    return out;
}

bool tokenizer_unicode_to_bytes(std::string_view text, std::string& bytes) {
    bytes.clear();
    const uint8_t* s = (const uint8_t*)text.data();
    int n = (int)text.size();
    for (int i = 0; i < n;) {
        uint32_t cp;
        int len = utf8_decode(s, n, i, &cp);
        int b = byte_unicode.cp_to_byte(cp);
        if (b < 0 || (len == 1 && s[i] >= 0x80)) return false;
        bytes += (char)b;
        i += len;
    }
    return true;
}

// ----------------------------------------------------------------------------------------------------
// Loading vocab.json + merges.txt

bool tokenizer_load_for_model(Tokenizer& tok, std::string_view vocab_json, std::string_view merges_txt,
                              int64_t vocab_size, std::string& err) {
    std::string terr;
    if (!tokenizer_load(tok, vocab_json, merges_txt, terr)) {
        err = "tokenizer (vocab.json / merges.txt): " + terr;
        return false;
    }
    if (tokenizer_vocab_size(tok) > vocab_size) {
        err = "vocab.json has " + std::to_string(tokenizer_vocab_size(tok)) + " tokens but config vocab_size is " +
              std::to_string(vocab_size);
        return false;
    }
    return true;
}

bool tokenizer_load(Tokenizer& tok, std::string_view vocab_json, std::string_view merges_txt, std::string& err) {
    tok = Tokenizer();
    nlohmann::json vocab = nlohmann::json::parse(vocab_json.begin(), vocab_json.end(), nullptr, false);
    if (vocab.is_discarded() || !vocab.is_object()) {
        err = "vocab.json: not a JSON object {\"token\": id, ...}";
        return false;
    }
    if (vocab.size() == 0) {
        err = "vocab.json: empty vocabulary";
        return false;
    }
    std::vector<std::pair<int, std::string>> entries;
    entries.reserve(vocab.size());
    int max_id = -1;
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        // ids must be dense (0..N-1, as every HF vocab.json): id_to_bytes is sized by the largest id, so
        // one huge id in a tiny file would otherwise allocate hundreds of MB
        if (!it.value().is_number_integer() || it.value().get<int64_t>() < 0 ||
            it.value().get<int64_t>() >= (int64_t)vocab.size()) {
            err = "vocab.json: id of token \"" + it.key() + "\" is not an integer in [0, " + std::to_string(vocab.size()) +
                  ") (ids must be 0..N-1 for N tokens)";
            return false;
        }
        int id = (int)it.value().get<int64_t>();
        std::string bytes;
        // a key that is not all byte stand-ins (an added token such as "<pad>" in other vocabularies)
        // stands for its own UTF-8 text
        if (!tokenizer_unicode_to_bytes(it.key(), bytes)) bytes = it.key();
        entries.push_back({id, bytes});
        max_id = std::max(max_id, id);
    }
    tok.id_to_bytes.assign(max_id + 1, std::string());
    std::vector<char> seen(max_id + 1, 0);
    tok.bytes_to_id.reserve(entries.size() * 2);
    for (auto& e : entries) {
        if (seen[e.first]) {
            err = "vocab.json: id " + std::to_string(e.first) + " is used by two tokens";
            return false;
        }
        seen[e.first] = 1;
        tok.id_to_bytes[e.first] = e.second;
        tok.bytes_to_id.emplace(e.second, e.first);
    }
    for (int b = 0; b < 256; b++) {
        auto it = tok.bytes_to_id.find(std::string(1, (char)b));
        if (it == tok.bytes_to_id.end()) {
            char msg[96];
            snprintf(msg, sizeof(msg), "vocab.json: no token for byte 0x%02X (a byte-level vocabulary needs all 256)", b);
            err = msg;
            return false;
        }
        tok.byte_id[b] = it->second;
    }
    auto eot = tok.bytes_to_id.find(EOT_TEXT);
    if (eot != tok.bytes_to_id.end()) tok.eot_id = eot->second;

    // merges.txt: optional "#version" line, then one "left right" pair per line, best first
    size_t pos = 0;
    int line_no = 0;
    std::string left, right;
    while (pos < merges_txt.size()) {
        size_t eol = merges_txt.find('\n', pos);
        if (eol == std::string_view::npos) eol = merges_txt.size();
        std::string_view line = merges_txt.substr(pos, eol - pos);
        pos = eol + 1;
        line_no++;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || (line_no == 1 && line.rfind("#version", 0) == 0)) continue;
        size_t sp = line.find(' ');
        if (sp == std::string_view::npos || sp == 0 || sp + 1 >= line.size() ||
            line.find(' ', sp + 1) != std::string_view::npos) {
            err = "merges.txt line " + std::to_string(line_no) + ": expected \"left right\", got \"" + std::string(line) + "\"";
            return false;
        }
        bool ok_l = tokenizer_unicode_to_bytes(line.substr(0, sp), left);
        bool ok_r = tokenizer_unicode_to_bytes(line.substr(sp + 1), right);
        auto il = tok.bytes_to_id.find(left), ir = tok.bytes_to_id.find(right), im = tok.bytes_to_id.find(left + right);
        if (!ok_l || !ok_r || il == tok.bytes_to_id.end() || ir == tok.bytes_to_id.end() || im == tok.bytes_to_id.end()) {
            err = "merges.txt line " + std::to_string(line_no) + ": \"" + std::string(line) +
                  "\" names a token (or a merged token) missing from vocab.json";
            return false;
        }
        uint64_t key = ((uint64_t)il->second << 32) | (uint32_t)ir->second;
        if (tok.merge_rank.count(key)) continue;  // a repeated pair keeps its first (best) rank
        tok.merge_rank.emplace(key, (int)tok.merge_result.size());
        tok.merge_result.push_back(im->second);
    }
    return true;
}

static bool file_read(const std::string& path, std::string& out) {
    FILE* f = fopen(path.c_str(), "rb");
    if (!f) return false;
    out.clear();
    char buf[1 << 16];
    size_t got;
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, got);
    bool ok = !ferror(f);
    fclose(f);
    return ok;
}

bool tokenizer_load_dir(Tokenizer& tok, const std::string& dir, std::string& err) {
    std::string vocab, merges;
    if (!file_read(dir + "/vocab.json", vocab)) {
        err = "cannot read " + dir + "/vocab.json";
        return false;
    }
    if (!file_read(dir + "/merges.txt", merges)) {
        err = "cannot read " + dir + "/merges.txt";
        return false;
    }
    return tokenizer_load(tok, vocab, merges, err);
}

// ----------------------------------------------------------------------------------------------------
// BPE on one piece: repeatedly merge the adjacent pair with the best (lowest) rank, leftmost first.

static inline int pair_rank(const Tokenizer& tok, int a, int b) {
    auto it = tok.merge_rank.find(((uint64_t)a << 32) | (uint32_t)b);
    return it == tok.merge_rank.end() ? INT32_MAX : it->second;
}

// Short pieces: ids[P] with ranks[P-1] of each adjacent pair, updated around each merge.
static void bpe_short(const Tokenizer& tok, std::vector<int>& ids) {
    int n = (int)ids.size();
    int ranks[256];  // n <= 256 here
    for (int i = 0; i + 1 < n; i++) ranks[i] = pair_rank(tok, ids[i], ids[i + 1]);
    while (n > 1) {
        int best = 0;
        for (int i = 1; i + 1 < n; i++) if (ranks[i] < ranks[best]) best = i;
        if (ranks[best] == INT32_MAX) break;
        ids[best] = tok.merge_result[ranks[best]];
        for (int i = best + 1; i + 1 < n; i++) { ids[i] = ids[i + 1]; ranks[i] = ranks[i + 1]; }
        n--;
        if (best > 0) ranks[best - 1] = pair_rank(tok, ids[best - 1], ids[best]);
        if (best + 1 < n) ranks[best] = pair_rank(tok, ids[best], ids[best + 1]);
    }
    ids.resize(n);
}

// Long pieces (a long run of letters or spaces): a linked list and a min-heap of (rank, position),
// O(P log P) instead of O(P^2). Stale heap entries are recognised by their ids no longer matching.
struct BpeHeapEntry {
    int rank, pos, left, right;
    bool operator>(const BpeHeapEntry& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
};

static void bpe_long(const Tokenizer& tok, std::vector<int>& ids) {
    int n = (int)ids.size();
    std::vector<int> next(n), prev(n);
    for (int i = 0; i < n; i++) { next[i] = i + 1 < n ? i + 1 : -1; prev[i] = i - 1; }
    std::priority_queue<BpeHeapEntry, std::vector<BpeHeapEntry>, std::greater<BpeHeapEntry>> heap;
    for (int i = 0; i + 1 < n; i++) {
        int r = pair_rank(tok, ids[i], ids[i + 1]);
        if (r != INT32_MAX) heap.push({r, i, ids[i], ids[i + 1]});
    }
    std::vector<char> alive(n, 1);
    while (!heap.empty()) {
        BpeHeapEntry e = heap.top();
        heap.pop();
        int j = alive[e.pos] ? next[e.pos] : -1;
        if (j < 0 || ids[e.pos] != e.left || ids[j] != e.right) continue;  // stale
        ids[e.pos] = tok.merge_result[e.rank];
        alive[j] = 0;
        next[e.pos] = next[j];
        if (next[j] >= 0) prev[next[j]] = e.pos;
        int p = prev[e.pos], q = next[e.pos];
        if (p >= 0) {
            int r = pair_rank(tok, ids[p], ids[e.pos]);
            if (r != INT32_MAX) heap.push({r, p, ids[p], ids[e.pos]});
        }
        if (q >= 0) {
            int r = pair_rank(tok, ids[e.pos], ids[q]);
            if (r != INT32_MAX) heap.push({r, e.pos, ids[e.pos], ids[q]});
        }
    }
    int k = 0;
    for (int i = 0; i >= 0; i = next[i]) ids[k++] = ids[i];
    ids.resize(k);
}

// Appends the ids of one piece to out, through the cache.
static void bpe_piece(Tokenizer& tok, const char* piece, int len, std::vector<int>& out) {
    if (len == 1) { out.push_back(tok.byte_id[(uint8_t)piece[0]]); return; }
    static thread_local std::string key;
    key.assign(piece, len);
    auto hit = tok.cache.find(key);
    if (hit != tok.cache.end()) {
        out.insert(out.end(), hit->second.begin(), hit->second.end());
        return;
    }
    // a whole piece that is one token (most common words) needs no merging
    std::vector<int> ids;
    auto whole = tok.bytes_to_id.find(key);
    if (whole != tok.bytes_to_id.end() && (int)whole->second != tok.eot_id) {
        ids.push_back(whole->second);
    } else {
        ids.resize(len);
        for (int i = 0; i < len; i++) ids[i] = tok.byte_id[(uint8_t)piece[i]];
        if (len <= 256) bpe_short(tok, ids);
        else bpe_long(tok, ids);
    }
    out.insert(out.end(), ids.begin(), ids.end());
    if (len <= 64) {
        if (tok.cache.size() >= tok.cache_max) tok.cache.clear();
        tok.cache.emplace(key, std::move(ids));
    }
}

// ----------------------------------------------------------------------------------------------------
// Encode / decode

// Encodes clean (valid UTF-8) text; the byte range of each token is recorded if spans != nullptr.
static void encode_clean(Tokenizer& tok, std::string_view text, bool allow_special, std::vector<int>& ids,
                         std::vector<TokenSpan>* spans) {
    const uint8_t* s = (const uint8_t*)text.data();
    int n = (int)text.size();
    size_t eot_len = strlen(EOT_TEXT);
    int seg_begin = 0;
    while (seg_begin <= n) {
        // the next "<|endoftext|>" (only when it is a special token here) ends the segment
        int seg_end = n;
        if (allow_special && tok.eot_id >= 0) {
            size_t f = text.find(EOT_TEXT, seg_begin);
            if (f != std::string_view::npos) seg_end = (int)f;
        }
        for (int i = seg_begin; i < seg_end;) {
            int len = pretoken_length(s, seg_end, i);
            size_t first = ids.size();
            bpe_piece(tok, text.data() + i, len, ids);
            if (spans) {
                int b = i;
                for (size_t k = first; k < ids.size(); k++) {
                    int tl = (int)tok.id_to_bytes[ids[k]].size();
                    spans->push_back({ids[k], b, b + tl, 0, 0, k == first});
                    b += tl;
                }
            }
            i += len;
        }
        if (seg_end == n) break;
        ids.push_back(tok.eot_id);
        if (spans) spans->push_back({tok.eot_id, seg_end, seg_end + (int)eot_len, 0, 0, true});
        seg_begin = seg_end + (int)eot_len;
    }
}

// Fills the UTF-16 ranges from the byte ranges (spans are in order and tile the text).
static void spans_fill_utf16(std::string_view text, std::vector<TokenSpan>& spans) {
    const uint8_t* s = (const uint8_t*)text.data();
    int n = (int)text.size();
    int cp_byte = 0, cp_u16 = 0, cp_len = 0, cp_units = 0;  // the code point under the cursor
    auto cursor_load = [&]() {
        uint32_t cp = 0;
        cp_len = cp_byte < n ? utf8_decode(s, n, cp_byte, &cp) : 1;
        cp_units = cp >= 0x10000 ? 2 : 1;
    };
    auto cursor_seek = [&](int b) {  // move to the code point containing byte b (b only grows)
        while (cp_byte + cp_len <= b) {
            cp_byte += cp_len;
            cp_u16 += cp_units;
            cursor_load();
        }
    };
    cursor_load();
    for (TokenSpan& t : spans) {
        cursor_seek(t.byte_begin);
        t.u16_begin = cp_u16;
        cursor_seek(t.byte_end - 1);
        t.u16_end = cp_u16 + cp_units;
    }
}

std::vector<TokenSpan> tokenizer_encode(Tokenizer& tok, std::string_view text, bool allow_special) {
    std::vector<int> ids;
    std::vector<TokenSpan> spans;
    if (tok.id_to_bytes.empty()) return spans;
    std::string clean;
    if (!tokenizer_is_valid_utf8(text)) {
        clean = tokenizer_sanitize_utf8(text);
        text = clean;
    }
    encode_clean(tok, text, allow_special, ids, &spans);
    spans_fill_utf16(text, spans);
    return spans;
}

std::vector<TokenSpan> tokenizer_encode_edit(Tokenizer& tok, std::string_view text, std::string_view prev_text,
                                             const std::vector<TokenSpan>& prev, int* kept) {
    if (kept) *kept = 0;
    if (tok.id_to_bytes.empty() || !tokenizer_is_valid_utf8(text) || !tokenizer_is_valid_utf8(prev_text) ||
        prev.empty() || prev.back().byte_end != (int)prev_text.size())
        return tokenizer_encode(tok, text);
    size_t d = 0;  // first changed byte
    while (d < text.size() && d < prev_text.size() && text[d] == prev_text[d]) d++;
    if (d == text.size() && d == prev_text.size()) {
        if (kept) *kept = (int)prev.size();
        return prev;
    }
    // the piece holding byte d - 1, then back to the start of the piece before it
    int r = 0;
    if (d > 0) {
        r = (int)prev.size() - 1;
        while (r > 0 && prev[r].byte_begin > (int)d - 1) r--;
        for (int pieces = 0; r > 0; r--)
            if (prev[r].piece_begin && ++pieces == 2) break;
        while (r > 0 && !prev[r].piece_begin) r--;
    }
    std::vector<TokenSpan> spans(prev.begin(), prev.begin() + r);
    const int b0 = r < (int)prev.size() ? prev[r].byte_begin : 0, u0 = r < (int)prev.size() ? prev[r].u16_begin : 0;
    std::vector<int> ids;
    std::vector<TokenSpan> tail;
    std::string_view rest = text.substr(b0);
    encode_clean(tok, rest, false, ids, &tail);
    spans_fill_utf16(rest, tail);
    for (TokenSpan& t : tail) {
        t.byte_begin += b0, t.byte_end += b0, t.u16_begin += u0, t.u16_end += u0;
        spans.push_back(t);
    }
    if (kept) *kept = r;
    return spans;
}

std::vector<int> tokenizer_encode_ids(Tokenizer& tok, std::string_view text, bool allow_special) {
    std::vector<int> ids;
    if (tok.id_to_bytes.empty()) return ids;
    std::string clean;
    if (!tokenizer_is_valid_utf8(text)) {
        clean = tokenizer_sanitize_utf8(text);
        text = clean;
    }
    ids.reserve(text.size() / 3 + 16);
    encode_clean(tok, text, allow_special, ids, nullptr);
    return ids;
}

std::string tokenizer_decode(const Tokenizer& tok, const std::vector<int>& ids) {
    std::string out;
    for (int id : ids) out += tokenizer_token_bytes(tok, id);
    return out;
}

const std::string& tokenizer_token_bytes(const Tokenizer& tok, int id) {
    static const std::string empty;
    if (id < 0 || id >= (int)tok.id_to_bytes.size()) return empty;
    return tok.id_to_bytes[id];
}

int tokenizer_vocab_size(const Tokenizer& tok) { return (int)tok.id_to_bytes.size(); }
