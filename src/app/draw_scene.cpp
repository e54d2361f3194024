// ImDrawList backend for viz scenes. One switch, one prim at a time (see the mapping in scene.h).
#include "app/draw_scene.h"

#include <GLES3/gl3.h>

#include <cfloat>
#include <cstdint>
#include <cstring>

float scene_text_width(const char* str, int len, float size, void*) {
    // An explicit size is in logical units whatever the atlas resolution (HiDPI atlases are larger).
    ImFont* font = ImGui::GetFont();
    return font->CalcTextSizeA(size, FLT_MAX, 0.0f, str, str + (len < 0 ? strlen(str) : len)).x;
}

// ---- rasters -> GL textures -------------------------------------------------------------------------
// One texture per raster (the app owns a handful: model view, big matrices), re-uploaded only when the
// raster's version changes, so drawing a 12×12 grid of T×T maps is a few textured quads per frame.
struct RasterTexture {
    const VizRaster* raster;
    uint32_t version;
    GLuint tex;
    int w, h;
};
static RasterTexture g_textures[8];

static ImTextureID raster_texture(const VizRaster* r) {
    if (!r || r->w <= 0 || r->h <= 0 || r->rgba.size() < (size_t)r->w * r->h * 4) return nullptr;
    RasterTexture* slot = nullptr;
    for (RasterTexture& t : g_textures)
        if (t.raster == r) slot = &t;
    if (!slot)  // a new raster takes a free slot, else the first one (rasters are long-lived statics)
        for (RasterTexture& t : g_textures)
            if (!slot && !t.raster) slot = &t;
    if (!slot) slot = &g_textures[0];
    if (slot->raster != r || slot->version != r->version || !slot->tex) {
        GLint prev = 0;
        glGetIntegerv(GL_TEXTURE_BINDING_2D, &prev);
        if (!slot->tex) glGenTextures(1, &slot->tex);
        glBindTexture(GL_TEXTURE_2D, slot->tex);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
        glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
        if (slot->raster != r || slot->w != r->w || slot->h != r->h) {
            // Nearest: texels are pooled to about one per device pixel; smoothing would blur thin lines.
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
            glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, r->w, r->h, 0, GL_RGBA, GL_UNSIGNED_BYTE, r->rgba.data());
        } else {
            glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, r->w, r->h, GL_RGBA, GL_UNSIGNED_BYTE, r->rgba.data());
        }
        glBindTexture(GL_TEXTURE_2D, (GLuint)prev);
        slot->raster = r, slot->version = r->version, slot->w = r->w, slot->h = r->h;
    }
    return (ImTextureID)(intptr_t)slot->tex;
}

void scene_draw(const VizScene& s, ImDrawList* dl, ImVec2 o) {
    ImFont* font = ImGui::GetFont();
    for (const VizPrim& p : s.prims) {
        ImU32 c = viz_color_u32(p.col);
        switch (p.kind) {
        case VIZ_RECT_FILL:
            dl->AddRectFilled(ImVec2(o.x + p.x0, o.y + p.y0), ImVec2(o.x + p.x1, o.y + p.y1), c, p.rounding);
            break;
        case VIZ_RECT_STROKE:
            dl->AddRect(ImVec2(o.x + p.x0, o.y + p.y0), ImVec2(o.x + p.x1, o.y + p.y1), c, p.rounding, 0, p.thickness);
            break;
        case VIZ_LINE:
            dl->AddLine(ImVec2(o.x + p.x0, o.y + p.y0), ImVec2(o.x + p.x1, o.y + p.y1), c, p.thickness);
            break;
        case VIZ_TRIANGLE:
            dl->AddTriangleFilled(ImVec2(o.x + p.x0, o.y + p.y0), ImVec2(o.x + p.x1, o.y + p.y1),
                                  ImVec2(o.x + p.x2, o.y + p.y2), c);
            break;
        case VIZ_CIRCLE:
            dl->AddCircleFilled(ImVec2(o.x + p.x0, o.y + p.y0), p.x1, c);
            break;
        case VIZ_IMAGE: {
            const VizRaster* r = viz_prim_raster(s, p);
            ImTextureID tex = raster_texture(r);
            if (!tex) break;
            dl->AddImage(tex, ImVec2(o.x + p.x0, o.y + p.y0), ImVec2(o.x + p.x1, o.y + p.y1),
                         ImVec2(p.x2 / r->w, p.y2 / r->h), ImVec2((p.x2 + p.thickness) / r->w, (p.y2 + p.rounding) / r->h));
            break;
        }
        case VIZ_TEXT: {
            const char* str = viz_prim_text(s, p);
            ImVec2 sz = font->CalcTextSizeA(p.thickness, FLT_MAX, 0.0f, str, str + p.text_len);
            float x = o.x + p.x0, y = o.y + p.y0;
            int h = p.anchor & VIZ_ANCHOR_H_MASK, v = p.anchor & VIZ_ANCHOR_V_MASK;
            if (h == VIZ_ANCHOR_CENTER) x -= sz.x * 0.5f;
            else if (h == VIZ_ANCHOR_RIGHT) x -= sz.x;
            if (v == VIZ_ANCHOR_MIDDLE) y -= p.thickness * 0.5f;
            else if (v == VIZ_ANCHOR_BOTTOM) y -= p.thickness;
            dl->AddText(font, p.thickness, ImVec2(x, y), c, str, str + p.text_len);
            break;
        }
        }
    }
}
