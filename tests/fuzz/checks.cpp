// Invariant checkers for the fuzz targets (declared in fuzz_common.h). Built with ASan + UBSan but
// without fuzzer coverage hooks (see scripts/dev/fuzz).
#include <cstring>
#include <set>

#include "fuzz_common.h"

// ---- UTF-8 (all checkers) ------------------------------------------------------------------------------

// Decodes the UTF-8 sequence at p[i] into cp: its length, or 0 if it is not well-formed (overlong,
// surrogate, above U+10FFFF, truncated). Written from the Unicode table 3-7, independent of the
// tokenizer's decoder; shared by the XML and JSON checkers.
int fuzz_utf8_decode(const uint8_t* p, size_t n, size_t i, uint32_t& cp) {
    const uint8_t b0 = p[i];
    if (b0 < 0x80) { cp = b0; return 1; }
    int need;
    uint8_t lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) need = 1, cp = b0 & 0x1F;
    else if (b0 >= 0xE0 && b0 <= 0xEF) need = 2, cp = b0 & 0x0F, lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
    else if (b0 >= 0xF0 && b0 <= 0xF4) need = 3, cp = b0 & 0x07, lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
    else return 0;
    if (i + need >= n) return 0;  // truncated
    for (int k = 1; k <= need; k++) {
        const uint8_t b = p[i + k];
        if (k == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    return need + 1;
}

bool fuzz_utf8_valid(std::string_view s) {
    const uint8_t* p = (const uint8_t*)s.data();
    uint32_t cp;
    for (size_t i = 0; i < s.size();) {
        if (p[i] < 0x80) { i++; continue; }
        const int len = fuzz_utf8_decode(p, s.size(), i, cp);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

// ---- tokenizer invariants (fuzz_tokenizer, fuzz_vocab_merges) ------------------------------------------

// Length in bytes of the UTF-8 sequence starting with lead byte c (text is already sanitized).
static inline int fuzz_utf8_len(uint8_t c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

// For every byte of valid UTF-8 text: the UTF-16 index where its code point starts and ends.
// Computed independently of the tokenizer's own cursor so the two can be compared.
static inline void fuzz_utf16_map(std::string_view text, std::vector<int>& start16, std::vector<int>& end16) {
    start16.assign(text.size(), 0);
    end16.assign(text.size(), 0);
    int u16 = 0;
    for (size_t i = 0; i < text.size();) {
        int len = fuzz_utf8_len((uint8_t)text[i]), units = len == 4 ? 2 : 1;
        for (int k = 0; k < len && i + k < text.size(); k++) {
            start16[i + k] = u16;
            end16[i + k] = u16 + units;
        }
        u16 += units;
        i += len;
    }
}

static inline int fuzz_utf16_length(std::string_view text) {
    int u16 = 0;
    for (size_t i = 0; i < text.size(); i += fuzz_utf8_len((uint8_t)text[i])) u16 += fuzz_utf8_len((uint8_t)text[i]) == 4 ? 2 : 1;
    return u16;
}

// Encodes text and checks everything the tokenizer promises about its output:
//  - sanitize gives valid UTF-8, is idempotent and leaves valid UTF-8 unchanged;
//  - decode(encode(s)) == sanitize(s); encode_ids agrees with encode;
//  - byte spans are non-empty, contiguous, monotonic, cover the text, and hold exactly the token's bytes;
//  - UTF-16 spans match an independent byte -> UTF-16 map (a token ending inside a code point
//    covers all of it) and end at the JS string length.
void fuzz_check_encode(Tokenizer& tok, std::string_view text, bool allow_special) {
    const std::string clean = tokenizer_sanitize_utf8(text);
    // validity by the checker's own decoder, and the tokenizer's validator must agree with it
    const bool text_valid = fuzz_utf8_valid(text);
    FUZZ_CHECK(tokenizer_is_valid_utf8(text) == text_valid, "tokenizer_is_valid_utf8 says %d", !text_valid);
    FUZZ_CHECK(fuzz_utf8_valid(clean), "sanitize returned invalid UTF-8");
    FUZZ_CHECK(tokenizer_sanitize_utf8(clean) == clean, "sanitize is not idempotent");
    if (text_valid) FUZZ_CHECK(clean == text, "sanitize changed valid UTF-8");

    std::vector<TokenSpan> spans = tokenizer_encode(tok, text, allow_special);
    std::vector<int> ids = tokenizer_encode_ids(tok, text, allow_special);
    FUZZ_CHECK(ids.size() == spans.size(), "encode_ids gave %zu ids, encode %zu spans", ids.size(), spans.size());
    FUZZ_CHECK(clean.empty() == spans.empty(), "%zu spans for %zu bytes", spans.size(), clean.size());

    std::vector<int> start16, end16;
    fuzz_utf16_map(clean, start16, end16);
    const int V = tokenizer_vocab_size(tok);
    int byte_pos = 0, u16_pos = 0;
    for (size_t k = 0; k < spans.size(); k++) {
        const TokenSpan& t = spans[k];
        FUZZ_CHECK(t.id == ids[k], "span %zu id %d != encode_ids %d", k, t.id, ids[k]);
        FUZZ_CHECK(t.id >= 0 && t.id < V, "span %zu id %d outside [0, %d)", k, t.id, V);
        FUZZ_CHECK(t.byte_begin == byte_pos, "span %zu begins at %d, previous ended at %d", k, t.byte_begin, byte_pos);
        FUZZ_CHECK(t.byte_end > t.byte_begin && t.byte_end <= (int)clean.size(), "span %zu bytes [%d, %d) of %zu", k,
                   t.byte_begin, t.byte_end, clean.size());
        const std::string& bytes = tokenizer_token_bytes(tok, t.id);
        FUZZ_CHECK(clean.compare(t.byte_begin, t.byte_end - t.byte_begin, bytes) == 0,
                   "span %zu bytes differ from token %d's bytes", k, t.id);
        FUZZ_CHECK(t.u16_begin == start16[t.byte_begin], "span %zu u16_begin %d, expected %d", k, t.u16_begin,
                   start16[t.byte_begin]);
        FUZZ_CHECK(t.u16_end == end16[t.byte_end - 1], "span %zu u16_end %d, expected %d", k, t.u16_end,
                   end16[t.byte_end - 1]);
        FUZZ_CHECK(t.u16_begin >= u16_pos - 2 && t.u16_begin <= t.u16_end, "span %zu u16 [%d, %d) after %d", k,
                   t.u16_begin, t.u16_end, u16_pos);  // -2: tokens may share a split (surrogate-pair) code point
        byte_pos = t.byte_end;
        u16_pos = t.u16_end;
    }
    FUZZ_CHECK(byte_pos == (int)clean.size(), "spans end at %d, text has %zu bytes", byte_pos, clean.size());
    FUZZ_CHECK(spans.empty() || u16_pos == fuzz_utf16_length(clean), "spans end at u16 %d, text has %d units",
               u16_pos, fuzz_utf16_length(clean));
    FUZZ_CHECK(tokenizer_decode(tok, ids) == clean, "decode(encode(s)) != sanitize(s)");
}

// ---- XML ------------------------------------------------------------------------------------------------
// A small XML 1.0 well-formedness checker for the SVG writer's output (fuzz_svg).
//
// Checks what a browser's XML parser would reject or misread: invalid UTF-8, characters XML forbids,
// unbalanced or mismatched tags, a second root, '<' or a bare '&' in text or attribute values,
// unknown entities, duplicate attributes, and numeric attributes that are not plain finite decimals
// ("inf", "nan", "1e+30" all break the figure). Returns "" if well-formed, else what is wrong.

struct XmlCursor {
    std::string_view s;
    size_t i = 0;
    bool done() const { return i >= s.size(); }
    char peek() const { return i < s.size() ? s[i] : '\0'; }
};

// Byte-wise equality without memcmp: the memcmp interceptor reports every call to the fuzzer
// (AddValueForMemcmp), which cost a tenth of fuzz_svg's time for attribute-name comparisons alone.
static inline bool xml_eq(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t k = 0; k < a.size(); k++)
        if (a[k] != b[k]) return false;
    return true;
}

static bool xml_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == ':' || c == '.';
}

// Code points XML 1.0 allows: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// One pass, and its own UTF-8 decoder (fuzz_utf8_valid) rather than the tokenizer's: the checker
// should not trust the code under test, and the tokenizer's copy carries coverage hooks.
static std::string xml_check_chars(std::string_view s) {
    const uint8_t* p = (const uint8_t*)s.data();
    const size_t n = s.size();
    for (size_t i = 0; i < n;) {
        const uint8_t c = p[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return "control character " + std::to_string(c);
            i++;
            continue;
        }
        uint32_t cp = 0;
        const int len = fuzz_utf8_decode(p, n, i, cp);
        if (len <= 0) return "invalid UTF-8";
        if (cp == 0xFFFE || cp == 0xFFFF) return "U+FFFE/U+FFFF";
        i += len;
    }
    return "";
}

// Character data up to the next '<' (or an attribute value up to quote): only known entities.
static std::string xml_check_chardata(std::string_view d) {
    for (size_t i = 0; i < d.size(); i++) {
        if (d[i] == '<') return "'<' in character data";
        if (d[i] != '&') continue;
        size_t semi = d.find(';', i);
        if (semi == std::string_view::npos) return "bare '&'";
        std::string_view ent = d.substr(i + 1, semi - i - 1);
        bool ok = ent == "amp" || ent == "lt" || ent == "gt" || ent == "quot" || ent == "apos";
        if (!ok && ent.size() >= 2 && ent[0] == '#') {
            ok = true;
            for (size_t k = 1; k < ent.size(); k++) ok = ok && ((ent[k] >= '0' && ent[k] <= '9') || (k > 1 && ent[1] == 'x'));
        }
        if (!ok) return "unknown entity &" + std::string(ent) + ";";
        i = semi;
    }
    return "";
}

// A plain decimal: -?digits(.digits)?
static bool xml_plain_number(std::string_view v) {
    size_t i = 0;
    if (i < v.size() && v[i] == '-') i++;
    size_t digits = 0;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') i++, digits++;
    if (digits == 0) return false;
    if (i < v.size() && v[i] == '.') {
        i++;
        size_t frac = 0;
        while (i < v.size() && v[i] >= '0' && v[i] <= '9') i++, frac++;
        if (frac == 0) return false;
    }
    return i == v.size();
}

static bool xml_numeric_attr(std::string_view name) {
    static const std::string_view names[] = {"x",  "y",  "width", "height", "rx",           "x1",
                                             "y1", "x2", "y2",    "cx",     "cy",           "r",
                                             "stroke-width",      "font-size", "fill-opacity", "stroke-opacity",
                                             "data-i", "data-j",  "data-head"};
    for (std::string_view n : names)
        if (xml_eq(name, n)) return true;
    return false;
}

// Parses one start tag after '<'; sets name (a view into the document) and self_closing. Attribute
// names are compared pairwise (an element has a handful): no set, no allocation per tag.
static std::string xml_start_tag(XmlCursor& c, std::string_view& name, bool& self_closing) {
    size_t b = c.i;
    while (!c.done() && xml_name_char(c.peek())) c.i++;
    if (c.i == b) return "empty tag name";
    name = c.s.substr(b, c.i - b);
    std::string_view seen[32];
    size_t n_seen = 0;
    for (;;) {
        bool space = false;
        while (!c.done() && (c.peek() == ' ' || c.peek() == '\n' || c.peek() == '\t')) c.i++, space = true;
        if (c.done()) return "unterminated tag <" + std::string(name);
        if (c.peek() == '>') { c.i++; self_closing = false; return ""; }
        if (c.peek() == '/') {
            c.i++;
            if (c.peek() != '>') return "'/' not followed by '>' in <" + std::string(name);
            c.i++;
            self_closing = true;
            return "";
        }
        if (!space) return "attributes not separated in <" + std::string(name);
        size_t ab = c.i;
        while (!c.done() && xml_name_char(c.peek())) c.i++;
        std::string_view attr = c.s.substr(ab, c.i - ab);
        if (attr.empty()) return "bad attribute name in <" + std::string(name);
        for (size_t k = 0; k < n_seen; k++)
            if (xml_eq(seen[k], attr)) return "duplicate attribute " + std::string(attr) + " in <" + std::string(name);
        if (n_seen == sizeof seen / sizeof seen[0]) return "more than 32 attributes in <" + std::string(name);
        seen[n_seen++] = attr;
        if (c.peek() != '=') return "attribute " + std::string(attr) + " without '='";
        c.i++;
        const char q = c.peek();
        if (q != '"' && q != '\'') return "unquoted attribute " + std::string(attr);
        c.i++;
        size_t end = c.s.find(q, c.i);
        if (end == std::string_view::npos) return "unterminated attribute " + std::string(attr);
        std::string_view value = c.s.substr(c.i, end - c.i);
        std::string bad = xml_check_chardata(value);
        if (!bad.empty()) return bad + " in attribute " + std::string(attr);
        if (xml_numeric_attr(attr) && !xml_plain_number(value))
            return "attribute " + std::string(attr) + "=\"" + std::string(value) + "\" is not a plain number";
        c.i = end + 1;
    }
}

// Counts elements into n_elements (for "one element per prim").
std::string xml_check_document(std::string_view doc, size_t& n_elements) {
    n_elements = 0;
    std::string bad = xml_check_chars(doc);
    if (!bad.empty()) return bad;
    XmlCursor c{doc};
    std::vector<std::string_view> open;
    open.reserve(16);
    bool root_closed = false;
    while (!c.done()) {
        size_t lt = doc.find('<', c.i);
        std::string_view text = doc.substr(c.i, (lt == std::string_view::npos ? doc.size() : lt) - c.i);
        if (open.empty() && text.find_first_not_of(" \t\r\n") != std::string_view::npos)
            return "text outside the root element";
        bad = xml_check_chardata(text);
        if (!bad.empty()) return bad;
        if (lt == std::string_view::npos) break;
        c.i = lt + 1;
        if (c.peek() == '/') {
            c.i++;
            size_t b = c.i;
            while (!c.done() && xml_name_char(c.peek())) c.i++;
            std::string_view name = doc.substr(b, c.i - b);
            if (c.peek() != '>') return "bad end tag </" + std::string(name);
            c.i++;
            if (open.empty() || !xml_eq(open.back(), name)) return "mismatched end tag </" + std::string(name) + ">";
            open.pop_back();
            if (open.empty()) root_closed = true;
            continue;
        }
        if (root_closed) return "second root element";
        std::string_view name;
        bool self_closing = false;
        bad = xml_start_tag(c, name, self_closing);
        if (!bad.empty()) return bad;
        n_elements++;
        if (!self_closing) open.push_back(name);
        else if (open.empty()) root_closed = true;
    }
    if (!open.empty()) return "unclosed <" + std::string(open.back()) + ">";
    if (!root_closed) return "no root element";
    return "";
}
