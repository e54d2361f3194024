// viz SVG backend. See svg.h.
#include "viz/svg.h"

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
