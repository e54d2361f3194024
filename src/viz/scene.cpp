// viz scene: primitives, hit regions, colours, text helpers. See scene.h.
#include "viz/scene.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>

// ---- scene -----------------------------------------------------------------------------------------

void viz_scene_clear(VizScene& s) {
    s.prims.clear();  // std::vector::clear keeps capacity: rebuilding each frame does not allocate
    s.text.clear();
    s.hits.clear();
    s.rasters.clear();
    s.w = s.h = 0;
}

void viz_scene_reserve(VizScene& s, size_t prims, size_t text_bytes) {
    s.prims.reserve(prims);
    s.text.reserve(text_bytes);
}

static VizPrim& prim_push(VizScene& s, VizPrimKind kind, VizColor c, VizRole role, int tag0, int tag1) {
    s.prims.emplace_back();
    VizPrim& p = s.prims.back();
    memset(&p, 0, sizeof(p));
    p.kind = kind;
    p.col = c;
    p.role = role;
    p.tag0 = tag0;
    p.tag1 = tag1;
    return p;
}

static void scene_grow(VizScene& s, float x, float y) {
    if (x > s.w) s.w = x;
    if (y > s.h) s.h = y;
}

void viz_rect_fill(VizScene& s, VizRect r, VizColor c, float rounding, VizRole role, int tag0, int tag1) {
    VizPrim& p = prim_push(s, VIZ_RECT_FILL, c, role, tag0, tag1);
    p.x0 = r.x; p.y0 = r.y; p.x1 = r.x + r.w; p.y1 = r.y + r.h;
    p.rounding = rounding;
    scene_grow(s, p.x1, p.y1);
}

void viz_rect_stroke(VizScene& s, VizRect r, VizColor c, float thickness, float rounding, VizRole role, int tag0,
                     int tag1) {
    VizPrim& p = prim_push(s, VIZ_RECT_STROKE, c, role, tag0, tag1);
    p.x0 = r.x; p.y0 = r.y; p.x1 = r.x + r.w; p.y1 = r.y + r.h;
    p.thickness = thickness;
    p.rounding = rounding;
    scene_grow(s, p.x1 + thickness * 0.5f, p.y1 + thickness * 0.5f);
}

void viz_line(VizScene& s, float x0, float y0, float x1, float y1, VizColor c, float thickness, VizRole role,
              int tag0, int tag1) {
    VizPrim& p = prim_push(s, VIZ_LINE, c, role, tag0, tag1);
    p.x0 = x0; p.y0 = y0; p.x1 = x1; p.y1 = y1;
    p.thickness = thickness;
    scene_grow(s, x0 > x1 ? x0 : x1, y0 > y1 ? y0 : y1);
}

void viz_triangle(VizScene& s, float x0, float y0, float x1, float y1, float x2, float y2, VizColor c, VizRole role) {
    VizPrim& p = prim_push(s, VIZ_TRIANGLE, c, role, -1, -1);
    p.x0 = x0; p.y0 = y0; p.x1 = x1; p.y1 = y1; p.x2 = x2; p.y2 = y2;
    scene_grow(s, fmaxf(x0, fmaxf(x1, x2)), fmaxf(y0, fmaxf(y1, y2)));
}

void viz_image(VizScene& s, VizRect r, const VizRaster* raster, float sx, float sy, float sw, float sh, VizRole role,
               int tag0, int tag1) {
    uint32_t index = 0;  // one entry per distinct raster (a model view's 144 tiles share one)
    while (index < s.rasters.size() && s.rasters[index] != raster) index++;
    if (index == s.rasters.size()) s.rasters.push_back(raster);
    VizPrim& p = prim_push(s, VIZ_IMAGE, VizColor{255, 255, 255, 255}, role, tag0, tag1);
    p.x0 = r.x; p.y0 = r.y; p.x1 = r.x + r.w; p.y1 = r.y + r.h;
    p.x2 = sx; p.y2 = sy; p.thickness = sw; p.rounding = sh;
    p.text_off = index;
    scene_grow(s, p.x1, p.y1);
}

void viz_circle(VizScene& s, float cx, float cy, float radius, VizColor c, VizRole role) {
    VizPrim& p = prim_push(s, VIZ_CIRCLE, c, role, -1, -1);
    p.x0 = cx; p.y0 = cy; p.x1 = radius;
    scene_grow(s, cx + radius, cy + radius);
}

static uint32_t arena_push(VizScene& s, const char* str, int len) {
    uint32_t off = (uint32_t)s.text.size();
    s.text.insert(s.text.end(), str, str + len);
    s.text.push_back('\0');  // so the ImGui backend can pass (begin, NULL) as well as (begin, end)
    return off;
}

int viz_text(VizScene& s, float x, float y, const char* str, int len, float size, VizColor c, uint8_t anchor,
             VizRole role, int tag0, int tag1) {
    if (!str) str = "";
    if (len < 0) len = (int)strlen(str);
    uint32_t off = arena_push(s, str, len);
    VizPrim& p = prim_push(s, VIZ_TEXT, c, role, tag0, tag1);
    p.x0 = x; p.y0 = y;
    p.thickness = size;
    p.anchor = anchor;
    p.text_off = off;
    p.text_len = (uint32_t)len;
    // Extent for the viewBox: assume the text does not extend past its anchor by more than a line.
    scene_grow(s, x, y + ((anchor & VIZ_ANCHOR_V_MASK) == VIZ_ANCHOR_TOP ? size : 0));
    return (int)s.prims.size() - 1;
}

int viz_textf(VizScene& s, float x, float y, float size, VizColor c, uint8_t anchor, VizRole role, int tag0, int tag1,
              const char* fmt, ...) {
    char buf[128];  // numbers and captions; longer output is truncated rather than allocated
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if (n >= (int)sizeof(buf)) n = (int)sizeof(buf) - 1;
    return viz_text(s, x, y, buf, n, size, c, anchor, role, tag0, tag1);
}

int viz_hit_add(VizScene& s, VizRect r, VizHit hit, int nx, int ny) {
    VizHitRegion reg;
    reg.rect = r;
    reg.hit = hit;
    reg.nx = nx;
    reg.ny = ny;
    s.hits.push_back(reg);
    return (int)s.hits.size() - 1;
}

bool viz_rect_contains(VizRect r, float x, float y) {
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

bool viz_rect_overlaps(VizRect a, VizRect b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

bool viz_hit_test(const VizScene& s, float x, float y, VizHit& out) {
    for (size_t i = s.hits.size(); i-- > 0;) {
        const VizHitRegion& reg = s.hits[i];
        if (!viz_rect_contains(reg.rect, x, y)) continue;
        out = reg.hit;
        if (reg.nx > 0 && reg.ny > 0) {
            int cx = (int)((x - reg.rect.x) * reg.nx / reg.rect.w);
            int cy = (int)((y - reg.rect.y) * reg.ny / reg.rect.h);
            if (cx >= reg.nx) cx = reg.nx - 1;  // float rounding at the far edge
            if (cy >= reg.ny) cy = reg.ny - 1;
            if (out.col >= 0) out.col += cx;
            if (out.row >= 0) out.row += cy;
        }
        return true;
    }
    out.kind = VIZ_HIT_NONE;
    out.layer = out.head = out.row = out.col = -1;
    return false;
}

const char* viz_role_name(VizRole r) {
    static const char* names[VIZ_ROLE_COUNT] = {
        "", "background", "title", "label", "cell", "masked", "hatch", "value",
        "highlight", "selection", "token", "link", "thumb", "bar", "chip", "component", "row",
    };
    return (unsigned)r < VIZ_ROLE_COUNT ? names[r] : "";
}

// ---- colour ----------------------------------------------------------------------------------------

static uint8_t u8_clamp(float v) {
    if (!(v > 0)) return 0;
    if (v >= 255) return 255;
    return (uint8_t)(v + 0.5f);
}

VizColor viz_color_alpha(VizColor c, float alpha) {
    c.a = u8_clamp(alpha * 255.0f);
    return c;
}

VizColor viz_color_lerp(VizColor a, VizColor b, float t) {
    if (!(t > 0)) t = 0;
    if (t > 1) t = 1;
    VizColor c;
    c.r = u8_clamp(a.r + (b.r - a.r) * t);
    c.g = u8_clamp(a.g + (b.g - a.g) * t);
    c.b = u8_clamp(a.b + (b.b - a.b) * t);
    c.a = u8_clamp(a.a + (b.a - a.a) * t);
    return c;
}

static float srgb_to_linear(float c) {
    return c <= 0.04045f ? c / 12.92f : powf((c + 0.055f) / 1.055f, 2.4f);
}

static float linear_to_srgb(float c) {
    return c <= 0.0031308f ? 12.92f * c : 1.055f * powf(c, 1.0f / 2.4f) - 0.055f;
}

float viz_color_luminance(VizColor c) {
    return 0.2126f * srgb_to_linear(c.r / 255.0f) + 0.7152f * srgb_to_linear(c.g / 255.0f) +
           0.0722f * srgb_to_linear(c.b / 255.0f);
}

VizColor viz_color_text_on(VizColor bg) {
    // Threshold where black and white have equal WCAG contrast: (L + 0.05)·(L + 0.05) = 1.05·0.05.
    return viz_color_luminance(bg) > 0.179f ? VizColor{0, 0, 0, 255} : VizColor{255, 255, 255, 255};
}

// OKLCH → sRGB (Björn Ottosson's OKLab): equal steps in hue look equally different, unlike HSV.
static VizColor oklch_to_srgb(float L, float C, float hue_deg) {
    float h = hue_deg * 3.14159265f / 180.0f;
    float a = C * cosf(h), b = C * sinf(h);
    float l_ = L + 0.3963377774f * a + 0.2158037573f * b;
    float m_ = L - 0.1055613458f * a - 0.0638541728f * b;
    float s_ = L - 0.0894841775f * a - 1.2914855480f * b;
    float l = l_ * l_ * l_, m = m_ * m_ * m_, s = s_ * s_ * s_;
    float r = +4.0767416621f * l - 3.3077115913f * m + 0.2309699292f * s;
    float g = -1.2684380046f * l + 2.6097574011f * m - 0.3413193965f * s;
    float bb = -0.0041960863f * l - 0.7034186147f * m + 1.7076147010f * s;
    VizColor c;
    c.r = u8_clamp(linear_to_srgb(fminf(fmaxf(r, 0.0f), 1.0f)) * 255.0f);
    c.g = u8_clamp(linear_to_srgb(fminf(fmaxf(g, 0.0f), 1.0f)) * 255.0f);
    c.b = u8_clamp(linear_to_srgb(fminf(fmaxf(bb, 0.0f), 1.0f)) * 255.0f);
    c.a = 255;
    return c;
}

float viz_text_width_estimate(const char* str, int len, float size, void* user) {
    return viz_utf8_count(str, len) * size * 0.6f;
}

// viridis, 11 samples (matplotlib / d3 scheme): perceptually uniform, dark → light.
static const VizColor CMAP_VIRIDIS[] = {
    {0x44, 0x01, 0x54, 255}, {0x48, 0x24, 0x75, 255}, {0x41, 0x44, 0x87, 255}, {0x35, 0x5f, 0x8d, 255},
    {0x2a, 0x78, 0x8e, 255}, {0x21, 0x91, 0x8c, 255}, {0x22, 0xa8, 0x84, 255}, {0x44, 0xbf, 0x70, 255},
    {0x7a, 0xd1, 0x51, 255}, {0xbd, 0xdf, 0x26, 255}, {0xfd, 0xe7, 0x25, 255},
};
// ColorBrewer YlGnBu (9 classes) with white in front: weight 0 is the page, weight 1 dark navy.
static const VizColor CMAP_YLGNBU[] = {
    {0xff, 0xff, 0xff, 255}, {0xff, 0xff, 0xd9, 255}, {0xed, 0xf8, 0xb1, 255}, {0xc7, 0xe9, 0xb4, 255},
    {0x7f, 0xcd, 0xbb, 255}, {0x41, 0xb6, 0xc4, 255}, {0x1d, 0x91, 0xc0, 255}, {0x22, 0x5e, 0xa8, 255},
    {0x25, 0x34, 0x94, 255}, {0x08, 0x1d, 0x58, 255},
};

// cividis (Nuñez, Anderton, Renslow 2018): designed to look the same to readers with and without
// red-green colour-vision deficiency; monotonic in lightness. Grey: lightness only (print, achromatopsia).
static const VizColor CMAP_CIVIDIS[] = {
    {0, 34, 78, 255}, {49, 68, 107, 255}, {102, 105, 112, 255}, {149, 143, 120, 255}, {202, 186, 106, 255}, {254, 232, 56, 255},
};
static const VizColor CMAP_GRAY_LIGHT[] = {{255, 255, 255, 255}, {0, 0, 0, 255}};
static const VizColor CMAP_GRAY_DARK[] = {{0, 0, 0, 255}, {255, 255, 255, 255}};

const char* viz_palette_name(int palette) {
    static const char* NAMES[VIZ_PALETTE_COUNT] = {"default", "cividis", "gray"};
    return palette >= 0 && palette < VIZ_PALETTE_COUNT ? NAMES[palette] : "default";
}

int viz_palette_from_name(const std::string& name) {
    for (int i = 0; i < VIZ_PALETTE_COUNT; i++)
        if (name == viz_palette_name(i)) return i;
    return -1;
}

void viz_theme_palette(VizTheme& t, int palette) {
    if (palette == VIZ_PALETTE_CIVIDIS) t.cmap = CMAP_CIVIDIS, t.cmap_n = 6;
    if (palette == VIZ_PALETTE_GRAY) t.cmap = t.dark ? CMAP_GRAY_DARK : CMAP_GRAY_LIGHT, t.cmap_n = 2;
}

VizColor viz_diverging(const VizTheme& th, float t) {
    if (std::isnan(t)) return th.masked;
    t = t < -1 ? -1 : (t > 1 ? 1 : t);
    // blue (negative) - the background (0) - red (positive), opaque so a cell's colour is its value alone
    const VizColor pos = {202, 52, 40, 255}, neg = {40, 96, 205, 255}, mid = th.bg;
    const VizColor& e = t >= 0 ? pos : neg;
    const float a = std::fabs(t);
    return {(uint8_t)(mid.r + (e.r - mid.r) * a + 0.5f), (uint8_t)(mid.g + (e.g - mid.g) * a + 0.5f),
            (uint8_t)(mid.b + (e.b - mid.b) * a + 0.5f), 255};
}

VizTheme viz_theme_light() {
    VizTheme t;
    t.dark = false;
    t.bg = {255, 255, 255, 255};
    t.panel = {244, 245, 247, 255};
    t.fg = {28, 30, 34, 255};
    t.fg_muted = {110, 114, 122, 255};
    t.grid = {220, 222, 226, 255};
    t.masked = {226, 226, 226, 255};
    t.hatch = {180, 180, 180, 255};
    t.highlight = {230, 120, 0, 255};
    t.select = {200, 30, 90, 255};
    t.cmap = CMAP_YLGNBU;
    t.cmap_n = (int)(sizeof(CMAP_YLGNBU) / sizeof(CMAP_YLGNBU[0]));
    t.font_size = 13;
    t.small_size = 10;
    t.text_width = viz_text_width_estimate;
    t.text_width_user = nullptr;
    return t;
}

VizTheme viz_theme_dark() {
    VizTheme t;
    t.dark = true;
    t.bg = {20, 21, 24, 255};
    t.panel = {32, 34, 38, 255};
    t.fg = {230, 232, 236, 255};
    t.fg_muted = {150, 154, 162, 255};
    t.grid = {60, 62, 68, 255};
    t.masked = {46, 46, 48, 255};
    t.hatch = {84, 84, 88, 255};
    t.highlight = {255, 170, 60, 255};
    t.select = {255, 90, 150, 255};
    t.cmap = CMAP_VIRIDIS;
    t.cmap_n = (int)(sizeof(CMAP_VIRIDIS) / sizeof(CMAP_VIRIDIS[0]));
    t.font_size = 13;
    t.small_size = 10;
    t.text_width = viz_text_width_estimate;
    t.text_width_user = nullptr;
    return t;
}

VizColor viz_colormap(const VizTheme& th, float w) {
    if (w != w) return th.masked;  // NaN: nothing to show
    if (w < 0) w = 0;
    if (w > 1) w = 1;
    float f = w * (th.cmap_n - 1);
    int i = (int)f;
    if (i >= th.cmap_n - 1) return th.cmap[th.cmap_n - 1];
    return viz_color_lerp(th.cmap[i], th.cmap[i + 1], f - i);
}

VizColor viz_head_color(const VizTheme& th, int head, int n_heads) {
    if (n_heads < 1) n_heads = 1;
    head = ((head % n_heads) + n_heads) % n_heads;
    float hue = 25.0f + 360.0f * head / n_heads;  // 25°: head 0 is a warm red, not magenta
    // Lines are drawn on the background, so dark themes need lighter colours.
    float L = th.dark ? 0.76f : 0.58f;
    if (n_heads > 8) L += (head & 1) ? -0.12f : 0.0f;  // hue steps get small: lightness separates
    return oklch_to_srgb(L, 0.14f, hue);
}

VizColor viz_chip_color(const VizTheme& th, int i) {
    // 5 hues 72° apart, low chroma: readable text on top, and no two neighbours alike.
    float hue = 40.0f + 72.0f * (i % 5);
    return th.dark ? oklch_to_srgb(0.36f, 0.06f, hue) : oklch_to_srgb(0.92f, 0.05f, hue);
}

// ---- text ------------------------------------------------------------------------------------------

// Decodes one UTF-8 code point at s[0..len). Returns its byte length and sets cp, or returns 1 and
// cp = -1 for an invalid byte (bad lead, truncated, overlong, surrogate, > U+10FFFF).
static int utf8_decode(const unsigned char* s, int len, int& cp) {
    unsigned c = s[0];
    int n;
    unsigned v, min;
    if (c < 0x80) { cp = (int)c; return 1; }
    else if ((c & 0xE0) == 0xC0) { n = 2; v = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { n = 3; v = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { n = 4; v = c & 0x07; min = 0x10000; }
    else { cp = -1; return 1; }
    if (n > len) { cp = -1; return 1; }
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) { cp = -1; return 1; }
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) { cp = -1; return 1; }
    cp = (int)v;
    return n;
}

static void utf8_append(std::string& out, int cp) {
    if (cp < 0x80) {
        out += (char)cp;
    } else if (cp < 0x800) {
        out += (char)(0xC0 | (cp >> 6));
        out += (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += (char)(0xE0 | (cp >> 12));
        out += (char)(0x80 | ((cp >> 6) & 0x3F));
        out += (char)(0x80 | (cp & 0x3F));
    } else {
        out += (char)(0xF0 | (cp >> 18));
        out += (char)(0x80 | ((cp >> 12) & 0x3F));
        out += (char)(0x80 | ((cp >> 6) & 0x3F));
        out += (char)(0x80 | (cp & 0x3F));
    }
}

int viz_utf8_count(const char* str, int len) {
    if (!str) return 0;
    if (len < 0) len = (int)strlen(str);
    const unsigned char* s = (const unsigned char*)str;
    int n = 0;
    for (int i = 0; i < len; n++) {
        int cp;
        i += utf8_decode(s + i, len - i, cp);
    }
    return n;
}

void viz_token_label(const char* bytes, int len, std::string& out) {
    if (!bytes) return;
    if (len < 0) len = (int)strlen(bytes);
    const unsigned char* s = (const unsigned char*)bytes;
    for (int i = 0; i < len;) {
        int cp;
        int n = utf8_decode(s + i, len - i, cp);
        if (cp < 0) {
            char hex[8];
            snprintf(hex, sizeof(hex), "\\x%02X", s[i]);
            out += hex;
        } else if (cp == ' ') {
            out += "\xC2\xB7";  // · U+00B7
        } else if (cp == '\n') {
            out += "\xE2\x86\xB5";  // ↵ U+21B5
        } else if (cp == '\t') {
            out += "\xE2\x86\x92";  // → U+2192
        } else if (cp == '\r') {
            out += "\xE2\x90\x8D";  // ␍ U+240D
        } else if (cp < 0x20) {
            utf8_append(out, 0x2400 + cp);  // control pictures ␀..␟
        } else if (cp == 0x7F) {
            out += "\xE2\x90\xA1";  // ␡ U+2421
        } else {
            out.append(bytes + i, n);
        }
        i += n;
    }
}

void viz_xml_escape(const char* str, int len, std::string& out) {
    if (!str) return;
    if (len < 0) len = (int)strlen(str);
    const unsigned char* s = (const unsigned char*)str;
    for (int i = 0; i < len;) {
        int cp;
        int n = utf8_decode(s + i, len - i, cp);
        switch (cp) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                // XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
                if (cp < 0 || (cp < 0x20 && cp != 0x9 && cp != 0xA && cp != 0xD) || cp == 0xFFFE || cp == 0xFFFF)
                    out += "\xEF\xBF\xBD";  // U+FFFD
                else
                    out.append(str + i, n);
        }
        i += n;
    }
}
