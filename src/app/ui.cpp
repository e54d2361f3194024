// ImGui panels: one full-window layout, a view switcher, and the views.
#include "app/ui.h"

#include <algorithm>
#include <cstdio>

#include "imgui.h"

// ---- theme ------------------------------------------------------------------------------------------
void ui_init(App& app) {
    if (app.dark) ImGui::StyleColorsDark();
    else ImGui::StyleColorsLight();
    ImGuiStyle& st = ImGui::GetStyle();
    st.WindowRounding = 0.0f;
    st.FrameRounding = 3.0f;
    st.WindowBorderSize = 0.0f;
}

// ---- token chips ----------------------------------------------------------------------------------
// The token's text with whitespace made visible: space -> ·, newline -> ↵, tab -> →.
static std::string chip_label(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == ' ') out += "\xC2\xB7";
        else if (c == '\n') out += "\xE2\x86\xB5";
        else if (c == '\t') out += "\xE2\x86\x92";
        else if (c == '\r') out += "\\r";
        else out += c;
    }
    return out;
}

static ImU32 chip_colour(int i, bool dark) {
    float h = (float)((i * 0.61803398875) - (int)(i * 0.61803398875));
    float r, g, b;
    ImGui::ColorConvertHSVtoRGB(h, dark ? 0.45f : 0.25f, dark ? 0.55f : 0.97f, r, g, b);
    return ImGui::ColorConvertFloat4ToU32(ImVec4(r, g, b, 1.0f));
}

static void ui_tokens(App& app) {
    ImGui::Text("%d tokens", (int)app.ids.size());
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float pad = 4.0f, gap = 4.0f;
    float max_x = ImGui::GetContentRegionAvail().x;
    ImVec2 origin = ImGui::GetCursorScreenPos();
    float x = 0, y = 0, line_h = ImGui::GetTextLineHeight() * 2 + pad * 3;
    app.hover_token = -1;
    for (int i = 0; i < (int)app.spans.size(); i++) {
        const TokenSpan& s = app.spans[i];
        std::string label = chip_label(app.text.substr(s.byte_begin, s.byte_end - s.byte_begin));
        char idbuf[16];
        snprintf(idbuf, sizeof idbuf, "%d", s.id);
        float w = std::max(ImGui::CalcTextSize(label.c_str()).x, ImGui::CalcTextSize(idbuf).x) + 2 * pad;
        if (x > 0 && x + w > max_x) x = 0, y += line_h + gap;
        ImVec2 a(origin.x + x, origin.y + y), b(a.x + w, a.y + line_h);
        bool hovered = ImGui::IsMouseHoveringRect(a, b);
        if (hovered) app.hover_token = i;
        dl->AddRectFilled(a, b, chip_colour(i, app.dark), 4.0f);
        if (hovered || app_selected_token(app) == i)
            dl->AddRect(a, b, ImGui::GetColorU32(ImGuiCol_Text), 4.0f, 0, 2.0f);
        dl->AddText(ImVec2(a.x + pad, a.y + pad), ImGui::GetColorU32(ImGuiCol_Text), label.c_str());
        dl->AddText(ImVec2(a.x + pad, a.y + pad * 2 + ImGui::GetTextLineHeight()),
                    ImGui::GetColorU32(ImGuiCol_TextDisabled), idbuf);
        x += w + gap;
    }
    ImGui::Dummy(ImVec2(max_x, y + line_h + gap));
}

// ---- frame ----------------------------------------------------------------------------------------
void ui_frame(App& app) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    ImGui::Begin("##main", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus);
    const Model* m = app_model(app);
    if (!m) {
        ImGui::TextUnformatted(app.model_status.empty() ? "Loading the model…" : app.model_status.c_str());
    } else {
        ImGui::TextDisabled("%s · %d layers × %d heads · d_model %d · %.2f ms", m->name.c_str(), m->cfg.n_layer,
                            m->cfg.n_head, m->cfg.n_embd, app.last_run_ms);
    }
    if (!app.notice.empty()) ImGui::TextWrapped("%s", app.notice.c_str());
    ui_tokens(app);
    ImGui::End();
}
