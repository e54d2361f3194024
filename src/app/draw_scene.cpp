// ImDrawList backend for viz scenes. One switch, one prim at a time (see the mapping in scene.h).
#include "app/draw_scene.h"

#include <cfloat>
#include <cstring>

float scene_text_width(const char* str, int len, float size, void*) {
    // An explicit size is in logical units whatever the atlas resolution (HiDPI atlases are larger).
    ImFont* font = ImGui::GetFont();
    return font->CalcTextSizeA(size, FLT_MAX, 0.0f, str, str + (len < 0 ? strlen(str) : len)).x;
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
