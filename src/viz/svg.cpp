// viz SVG backend. See svg.h.
#include "viz/svg.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

// Shortest decimal that round-trips a logical coordinate to 0.01 unit ("12", "12.5", "12.25"):
// keeps a 10k-cell export small and diff-friendly.
static void num_append(std::string& out, float v) {
    char b[32];
    if (!(v == v)) v = 0;  // NaN would make the document invalid
    // Clamp: "inf" is not an SVG number, and %.2f of 1e30 needs more than the buffer.
    const float lim = 1e9f;
    v = v > lim ? lim : (v < -lim ? -lim : v);
    int n = snprintf(b, sizeof(b), "%.2f", v);
    while (n > 0 && b[n - 1] == '0') n--;
    if (n > 0 && b[n - 1] == '.') n--;
    if (n == 2 && b[0] == '-' && b[1] == '0') { b[0] = '0'; n = 1; }  // "-0"
    out.append(b, n);
}

static void attr_num(std::string& out, const char* name, float v) {
    out += ' ';
    out += name;
    out += "=\"";
    num_append(out, v);
    out += '"';
}

static void attr_int(std::string& out, const char* name, int v) {
    char b[48];
    int n = snprintf(b, sizeof(b), " %s=\"%d\"", name, v);
    out.append(b, n);
}

// fill="#rrggbb" fill-opacity="0.5" (opacity only when not opaque).
static void attr_color(std::string& out, const char* what, VizColor c) {
    char b[64];
    int n = snprintf(b, sizeof(b), " %s=\"#%02x%02x%02x\"", what, c.r, c.g, c.b);
    out.append(b, n);
    if (c.a != 255) {
        out += ' ';
        out += what;
        out += "-opacity=\"";
        num_append(out, c.a / 255.0f);
        out += '"';
    }
}

static void attr_meta(std::string& out, const VizPrim& p) {
    if (p.role == VIZ_ROLE_NONE) return;
    out += " class=\"";
    out += viz_role_name(p.role);
    out += '"';
    if (p.tag0 >= 0) attr_int(out, "data-i", p.tag0);
    if (p.tag1 >= 0) attr_int(out, "data-j", p.tag1);
    if (p.role == VIZ_ROLE_LINK) attr_int(out, "data-head", p.aux);
}

// ---- PNG for VIZ_IMAGE: uncompressed (stored deflate blocks); the heatmap tiles are small ----------
static uint32_t crc32_update(uint32_t crc, const uint8_t* p, size_t n) {
    static uint32_t table[256];
    if (!table[1])
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    crc = ~crc;
    for (size_t i = 0; i < n; i++) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

static void be32(std::string& o, uint32_t v) {
    const char b[4] = {(char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v};
    o.append(b, 4);
}

static void png_chunk(std::string& png, const char* type, const std::string& data) {
    be32(png, (uint32_t)data.size());
    size_t start = png.size();
    png.append(type, 4);
    png += data;
    be32(png, crc32_update(0, (const uint8_t*)png.data() + start, png.size() - start));
}

// Texels (x, y, w × h) of an RGBA raster as a PNG file.
static void png_write(const VizRaster& r, int x, int y, int w, int h, std::string& png) {
    png.assign("\x89PNG\r\n\x1a\n", 8);
    std::string ihdr;
    be32(ihdr, (uint32_t)w), be32(ihdr, (uint32_t)h);
    ihdr += std::string("\x08\x06\x00\x00\x00", 5);  // 8 bit RGBA, no interlace
    png_chunk(png, "IHDR", ihdr);
    std::string raw;  // filter byte 0 + the row, per row
    for (int j = 0; j < h; j++) {
        raw += '\0';
        raw.append((const char*)r.rgba.data() + ((size_t)(y + j) * r.w + x) * 4, (size_t)w * 4);
    }
    std::string z = "\x78\x01";  // zlib header; deflate stored blocks of at most 65535 bytes
    uint32_t a = 1, b = 0;
    for (unsigned char c : raw) a = (a + c) % 65521, b = (b + a) % 65521;
    size_t off = 0;  // raw holds at least one filter byte
    do {
        size_t n = raw.size() - off < 65535 ? raw.size() - off : 65535;
        z += (char)(off + n >= raw.size() ? 1 : 0);  // BFINAL on the last block, BTYPE 00 (stored)
        z += (char)(n & 0xFF), z += (char)(n >> 8), z += (char)(~n & 0xFF), z += (char)((~n >> 8) & 0xFF);
        z.append(raw, off, n);
        off += n;
    } while (off < raw.size());
    be32(z, (b << 16) | a);
    png_chunk(png, "IDAT", z);
    png_chunk(png, "IEND", std::string());
}

static void base64_append(std::string& out, const std::string& in) {
    static const char* A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        uint32_t v = (uint8_t)in[i] << 16 | (uint8_t)in[i + 1] << 8 | (uint8_t)in[i + 2];
        out += A[v >> 18], out += A[(v >> 12) & 63], out += A[(v >> 6) & 63], out += A[v & 63];
    }
    if (i < in.size()) {
        uint32_t v = (uint8_t)in[i] << 16 | (i + 1 < in.size() ? (uint8_t)in[i + 1] << 8 : 0);
        out += A[v >> 18], out += A[(v >> 12) & 63];
        out += i + 1 < in.size() ? A[(v >> 6) & 63] : '=';
        out += '=';
    }
}

void viz_svg_write(const VizScene& s, std::string& out, const VizColor* background) {
    const float w = s.w > 0 ? s.w : 1, h = s.h > 0 ? s.h : 1;
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ";
    num_append(out, w);
    out += ' ';
    num_append(out, h);
    out += '"';
    attr_num(out, "width", w);
    attr_num(out, "height", h);
    out += " font-family=\"ui-monospace, SFMono-Regular, Menlo, Consolas, monospace\"";
    if (background) {
        char b[64];
        int n = snprintf(b, sizeof(b), " style=\"background:#%02x%02x%02x\"", background->r, background->g,
                         background->b);
        out.append(b, n);
    }
    out += ">\n";

    for (const VizPrim& p : s.prims) {
        switch (p.kind) {
            case VIZ_RECT_FILL:
            case VIZ_RECT_STROKE:
                out += "<rect";
                attr_num(out, "x", p.x0);
                attr_num(out, "y", p.y0);
                attr_num(out, "width", p.x1 - p.x0);
                attr_num(out, "height", p.y1 - p.y0);
                if (p.rounding > 0) attr_num(out, "rx", p.rounding);
                if (p.kind == VIZ_RECT_FILL) {
                    attr_color(out, "fill", p.col);
                } else {
                    out += " fill=\"none\"";
                    attr_color(out, "stroke", p.col);
                    attr_num(out, "stroke-width", p.thickness);
                }
                break;
            case VIZ_LINE:
                out += "<line";
                attr_num(out, "x1", p.x0);
                attr_num(out, "y1", p.y0);
                attr_num(out, "x2", p.x1);
                attr_num(out, "y2", p.y1);
                attr_color(out, "stroke", p.col);
                attr_num(out, "stroke-width", p.thickness);
                out += " stroke-linecap=\"round\"";
                break;
            case VIZ_TRIANGLE:
                out += "<polygon points=\"";
                num_append(out, p.x0); out += ','; num_append(out, p.y0); out += ' ';
                num_append(out, p.x1); out += ','; num_append(out, p.y1); out += ' ';
                num_append(out, p.x2); out += ','; num_append(out, p.y2);
                out += '"';
                attr_color(out, "fill", p.col);
                break;
            case VIZ_CIRCLE:
                out += "<circle";
                attr_num(out, "cx", p.x0);
                attr_num(out, "cy", p.y0);
                attr_num(out, "r", p.x1);
                attr_color(out, "fill", p.col);
                break;
            case VIZ_IMAGE: {
                const VizRaster* r = viz_prim_raster(s, p);
                int x = (int)p.x2, y = (int)p.y2, w = (int)p.thickness, h = (int)p.rounding;
                if (!r || w <= 0 || h <= 0 || x < 0 || y < 0 || x + w > r->w || y + h > r->h) continue;
                std::string png;
                png_write(*r, x, y, w, h, png);
                out += "<image";
                attr_num(out, "x", p.x0);
                attr_num(out, "y", p.y0);
                attr_num(out, "width", p.x1 - p.x0);
                attr_num(out, "height", p.y1 - p.y0);
                out += " preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,";
                base64_append(out, png);
                out += '"';
                break;
            }
            case VIZ_TEXT: {
                // Baseline placed by hand rather than with dominant-baseline, which renderers
                // (browsers, Inkscape, resvg) disagree on. Offsets approximate a typical font's
                // ascent (0.8 em) and x-height centre (0.35 em).
                const float size = p.thickness;
                const int v = p.anchor & VIZ_ANCHOR_V_MASK, hz = p.anchor & VIZ_ANCHOR_H_MASK;
                float y = p.y0 + (v == VIZ_ANCHOR_TOP ? 0.8f * size : v == VIZ_ANCHOR_MIDDLE ? 0.35f * size : -0.2f * size);
                out += "<text";
                attr_num(out, "x", p.x0);
                attr_num(out, "y", y);
                attr_num(out, "font-size", size);
                attr_color(out, "fill", p.col);
                if (hz == VIZ_ANCHOR_CENTER) out += " text-anchor=\"middle\"";
                else if (hz == VIZ_ANCHOR_RIGHT) out += " text-anchor=\"end\"";
                out += " xml:space=\"preserve\"";
                attr_meta(out, p);
                out += '>';
                viz_xml_escape(viz_prim_text(s, p), (int)p.text_len, out);
                out += "</text>\n";
                continue;
            }
        }
        attr_meta(out, p);
        out += "/>\n";
    }
    out += "</svg>\n";
}
