// ImGui panels: the header controls, the token chips every view shares, and the ten views.
// Views build viz scenes from the engine's Capture (and the quantities src/model derives from it) and
// draw them; nothing here computes a number the page shows.
#include "app/ui.h"

#include <SDL.h>
#include <emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "app/draw_scene.h"
#include "app/memory.h"
#include "app/quiz.h"
#include "app/teach.h"
#include "app/tour.h"
#include "imgui.h"
#include "imgui_internal.h"  // ImGuiContext::LogBuffer (ui_view_text)
#include "model/capture_json.h"  // capture_top_ids
#include "viz/svg.h"
#include "viz/views.h"

static VizScene g_scene;       // rebuilt every frame, capacity kept
static VizScene g_chips;
static VizWork g_work;
static VizRaster g_model_raster;   // the model view's L × H thumbnails (re-rasterized per capture)
static VizRaster g_matrix_raster;  // a matrix too long for min_cell, fitted as one image
static bool g_help = false;
// What the view drew, for the e2e tests (see ui_view_text): collected only after a test asks for it.
static bool g_log_view = false;
static std::string g_view_text, g_tour_text, g_quiz_text;
static float g_view_rect[4];
static char g_compare_buf[1024];

// ---- theme ------------------------------------------------------------------------------------------
static VizTheme ui_theme(const App& app) {
    VizTheme th = app.dark ? viz_theme_dark() : viz_theme_light();
    viz_theme_palette(th, app.palette);
    th.text_width = scene_text_width;
    return th;
}

void ui_init(App& app) {
    if (app.dark) ImGui::StyleColorsDark();
    else ImGui::StyleColorsLight();
    ImGuiStyle& st = ImGui::GetStyle();
    st.WindowRounding = 0.0f;
    st.ChildRounding = 0.0f;
    st.FrameRounding = 3.0f;
    st.WindowBorderSize = 0.0f;
    st.WindowPadding = ImVec2(8, 6);
    VizTheme th = ui_theme(app);
    st.Colors[ImGuiCol_WindowBg] = ImVec4(th.bg.r / 255.0f, th.bg.g / 255.0f, th.bg.b / 255.0f, 1.0f);
    st.Colors[ImGuiCol_ChildBg] = st.Colors[ImGuiCol_WindowBg];
    if (!app.dark) {  // ImGui's light frames are white: the layer/head sliders vanished on the white page
        st.Colors[ImGuiCol_FrameBg] = ImVec4(0.87f, 0.88f, 0.91f, 1.0f);
        st.Colors[ImGuiCol_FrameBgHovered] = ImVec4(0.80f, 0.84f, 0.92f, 1.0f);
    }
    snprintf(g_compare_buf, sizeof g_compare_buf, "%s", app.compare_text.c_str());
}

// ---- scene helpers ----------------------------------------------------------------------------------
// Draws the scene at the cursor, reserves its size, and returns what the pointer is over.
static VizHit scene_show(const VizScene& s, const char* id) {
    ImVec2 origin = ImGui::GetCursorScreenPos();
    scene_draw(s, ImGui::GetWindowDrawList(), origin);
    ImGui::InvisibleButton(id, ImVec2(std::max(s.w, 1.0f), std::max(s.h, 1.0f)));
    VizHit hit = {VIZ_HIT_NONE, -1, -1, -1, -1};
    if (ImGui::IsItemHovered()) {
        ImVec2 mp = ImGui::GetIO().MousePos;
        viz_hit_test(s, mp.x - origin.x, mp.y - origin.y, hit);
    }
    return hit;
}

// The part of the current window a scene drawn at the cursor can show, in scene coordinates: builders
// skip what lies outside (a 1024-token matrix or head view would otherwise emit every cell and line).
static VizRect visible_rect() {
    ImVec2 c = ImGui::GetCursorScreenPos(), wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
    return VizRect{wp.x - c.x, wp.y - c.y, ws.x, ws.y};
}

// A clipped scene has no prims past the visible part: its size (what scrolls) comes from the layout.
static void scene_fit(VizScene& s, VizRect used) {
    s.w = std::max(s.w, used.x + used.w);
    s.h = std::max(s.h, used.y + used.h);
}

// Names the capture the views show (model + token ids + theme): cached rasters are rebuilt when it changes.
static uint64_t capture_key(const App& app) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a
    auto mix = [&](uint64_t v) { for (int i = 0; i < 8; i++) h = (h ^ ((v >> (8 * i)) & 0xFF)) * 1099511628211ull; };
    mix((uint64_t)(uintptr_t)app_model(app));
    mix(app.weights_version);  // taught weights: the same model pointer, other maps
    mix(app.dark);
    mix((uint64_t)app.palette);
    mix(app.ids.size());
    for (int id : app.ids) mix((uint64_t)id);
    for (char c : app.cap.interventions) mix((uint64_t)(unsigned char)c);  // an intervention changes the maps
    return h | 1;
}

static bool clicked() { return ImGui::IsItemClicked(ImGuiMouseButton_Left); }

// The next item on this row if `w` more pixels fit in the window, else on a new row (phones, side panels).
static void next_fits(float w) {
    ImGui::SameLine();
    if (ImGui::GetCursorScreenPos().x + w > ImGui::GetWindowPos().x + ImGui::GetWindowWidth() - 8) ImGui::NewLine();
}

// The width of the current window's visible content: unlike the content region, it does not grow with a
// scene wider than the window (which would make wrapped text wrap past the visible edge).
static float visible_width() {
    const ImGuiStyle& st = ImGui::GetStyle();
    ImGuiWindow* win = ImGui::GetCurrentWindow();
    return ImGui::GetWindowWidth() - 2 * st.WindowPadding.x - (win->ScrollbarY ? st.ScrollbarSize : 0.0f);
}

// A token under the pointer: hover it; a click locks it (a second click unlocks).
static void token_pointer(App& app, int token) {
    if (token < 0 || token >= (int)app.ids.size()) return;
    app.hover_token = token;
    if (clicked()) app.locked_token = app.locked_token == token ? -1 : token;
}

static std::string token_text(const App& app, int i) {
    std::string out;
    if (i >= 0 && i < (int)app.token_bytes.size())
        viz_token_label(app.token_bytes[i].data(), (int)app.token_bytes[i].size(), out);
    return out;
}

// ---- header: views, layer, head -------------------------------------------------------------------
static const char* VIEW_TITLES[VIEW_COUNT] = {"Tokens", "Heads", "Matrix", "Model", "Math", "Aggregate",
                                              "Embed", "Predict", "Context", "Compare", "Memory"};

static void ui_header(App& app, const Model* m) {
    for (int v = 0; v < VIEW_COUNT; v++) {
        if (v) ImGui::SameLine(0, 4);
        bool on = app.view == v;
        if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
        if (ImGui::Button(VIEW_TITLES[v])) app.view = v;
        if (on) ImGui::PopStyleColor();
        // Wrap the tab row on narrow screens.
        float next_w = v + 1 < VIEW_COUNT ? ImGui::CalcTextSize(VIEW_TITLES[v + 1]).x + 16 : 0;
        if (v + 1 < VIEW_COUNT && ImGui::GetItemRectMax().x + next_w > ImGui::GetWindowPos().x + ImGui::GetWindowWidth() - 8)
            ImGui::NewLine(), ImGui::SameLine(0, 0), ImGui::Spacing(), ImGui::SameLine();
    }
    if (!m) return;
    ImGui::SetNextItemWidth(120);
    // Layers and heads count from 0 everywhere (page, share links, JSON, CLI).
    ImGui::SliderInt("layer", &app.layer, 0, m->cfg.n_layer - 1);
    next_fits(120 + ImGui::CalcTextSize("head").x + 8);
    ImGui::SetNextItemWidth(120);
    ImGui::SliderInt("head", &app.head, 0, m->cfg.n_head - 1);
    next_fits(ImGui::CalcTextSize("? Intervene Teach* Tour").x + 40);
    if (ImGui::SmallButton("?")) g_help = !g_help;
    ImGui::SameLine();
    bool iv_on = app.intervene;
    if (iv_on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    if (ImGui::SmallButton("Intervene")) app_set_intervene(app, !app.intervene);
    if (iv_on) ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Turn heads off and cut attention edges, and see what changes");
    ImGui::SameLine();
    const bool teach_on = app.teach_open;
    if (teach_on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    if (ImGui::SmallButton(app_model_modified(app) ? "Teach*" : "Teach")) app.teach_open = !app.teach_open;
    if (teach_on) ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Teach the model a text (it trains on it in your browser) and see what changes");
    if (app.tour == 0) {
        ImGui::SameLine();
        if (ImGui::SmallButton("Tour")) app_tour_go(app, 1);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("A guided walk through how the model reads your sentence");
    }
    char info[160];
    snprintf(info, sizeof info, "%s · %d×%d · d_model %d · %d tokens · %.1f ms", m->name.c_str(), m->cfg.n_layer,
             m->cfg.n_head, m->cfg.n_embd, (int)app.ids.size(), app.last_run_ms);
    next_fits(ImGui::CalcTextSize(info).x);
    ImGui::TextDisabled("%s", info);
}

static void ui_help() {
    if (!g_help) return;
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::Begin("Keys and pointer", &g_help, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings);
    ImGui::TextUnformatted("← / →   previous / next query token\n"
                           "[ / ]   previous / next layer\n"
                           "- / =   previous / next head\n"
                           "Esc     unlock the selected token\n"
                           "hover   a token anywhere highlights it everywhere\n"
                           "click   lock a token (click again to unlock); tap on touch screens\n"
                           "Model view: click a thumbnail to open that head's matrix\n"
                           "Memory view: click a token to see what each model's prediction after it depends on\n"
                           "Intervene: clicks in Model turn a head off; clicks in Matrix cut one attention edge\n"
                           "Tour: N / PageDown next step, B / PageUp previous step");
    ImGui::End();
}

// One key press (from the SDL event, so a press and release within one frame still counts).
void ui_key(App& app, int scancode) {
    const Model* m = app_model(app);
    if (!m || ImGui::GetIO().WantTextInput) return;
    int T = (int)app.ids.size();
    switch (scancode) {
    case SDL_SCANCODE_LEFT: if (T) app.locked_token = std::max(0, app_selected_token(app) - 1); break;
    case SDL_SCANCODE_RIGHT: if (T) app.locked_token = std::min(T - 1, app_selected_token(app) + 1); break;
    case SDL_SCANCODE_LEFTBRACKET: app.layer = std::max(0, app.layer - 1); break;
    case SDL_SCANCODE_RIGHTBRACKET: app.layer = std::min(m->cfg.n_layer - 1, app.layer + 1); break;
    case SDL_SCANCODE_MINUS: app.head = std::max(0, app.head - 1); break;
    case SDL_SCANCODE_EQUALS: app.head = std::min(m->cfg.n_head - 1, app.head + 1); break;
    case SDL_SCANCODE_ESCAPE: app.locked_token = -1, g_help = false; break;
    case SDL_SCANCODE_SLASH: g_help = !g_help; break;
    case SDL_SCANCODE_PAGEDOWN:
    case SDL_SCANCODE_N: if (app.tour > 0 && app.tour < TOUR_STEPS) app_tour_go(app, app.tour + 1); break;
    case SDL_SCANCODE_PAGEUP:
    case SDL_SCANCODE_B: if (app.tour > 1) app_tour_go(app, app.tour - 1); break;
    }
}

// ---- walkthrough: the step's text with the run's numbers, Back / Next (app/tour.h) -------------------
static void ui_tour(App& app) {
    if (app.tour <= 0) return;
    const TourText t = app_tour_text(app);
    ImGui::PushStyleColor(ImGuiCol_ChildBg, ImGui::GetStyleColorVec4(ImGuiCol_FrameBg));
    const ImGuiStyle& st = ImGui::GetStyle();
    const float wrap = ImGui::GetContentRegionAvail().x - 2 * st.WindowPadding.x;
    const bool narrow = ImGui::CalcTextSize((t.title + "< Back Next > End tour").c_str()).x + 60 > wrap;
    const float h = ImGui::GetFrameHeightWithSpacing() * (narrow ? 2 : 1) +
                    ImGui::CalcTextSize(t.body.c_str(), nullptr, false, wrap).y +
                    2 * st.WindowPadding.y + st.ItemSpacing.y;
    ImGui::BeginChild("##tour", ImVec2(0, h), true, ImGuiWindowFlags_NoScrollbar);
    if (g_log_view) ImGui::LogToBuffer();
    ImGui::TextColored(ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive), "%s", t.title.c_str());
    ImGui::SameLine();
    if (ImGui::GetCursorScreenPos().x + ImGui::CalcTextSize("< Back Next > End tour").x + 40 >
        ImGui::GetWindowPos().x + ImGui::GetWindowWidth())
        ImGui::NewLine();  // narrow: the buttons under the title
    ImGui::BeginDisabled(app.tour <= 1);
    if (ImGui::SmallButton("< Back")) app_tour_go(app, app.tour - 1);
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(app.tour >= TOUR_STEPS);
    if (ImGui::SmallButton("Next >")) app_tour_go(app, app.tour + 1);
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (ImGui::SmallButton("End tour")) app_tour_go(app, 0);
    ImGui::TextWrapped("%s", t.body.c_str());
    if (g_log_view) g_tour_text = ImGui::GetCurrentContext()->LogBuffer.c_str(), ImGui::LogFinish();
    ImGui::EndChild();
    ImGui::PopStyleColor();
}

// A chip under the pointer: while an "attend" question waits for its answer, a click answers it (and a
// hover does not move the query); otherwise as any token.
static void chip_pointer(App& app, int token) {
    if (app.quiz == QUIZ_ATTEND && app.quiz_guess < 0) {
        if (clicked()) quiz_answer(app, token);
        return;
    }
    token_pointer(app, token);
}

// ---- predict, then reveal: the question, the options, the reveal (app/quiz.h) ------------------------
static bool quiz_waiting(const App& app) { return app.quiz != QUIZ_NONE && app.quiz_guess < 0; }

static void ui_quiz(App& app, const Model* m) {
    if (app.quiz == QUIZ_NONE) return;
    ImGui::PushStyleColor(ImGuiCol_ChildBg, ImGui::GetStyleColorVec4(ImGuiCol_FrameBg));
    ImGui::BeginChild("##quiz", ImVec2(0, ImGui::GetFrameHeightWithSpacing() * 3.4f), true);
    if (g_log_view) ImGui::LogToBuffer();
    const QuizResult r = quiz_result(app);
    ImGui::TextWrapped("%s", quiz_question(app).c_str());
    if (!r.answered && app.quiz == QUIZ_NEXT) {
        for (int id : quiz_options(app)) {
            std::string label;
            const std::string& b = tokenizer_token_bytes(m->tok, id);
            viz_token_label(b.data(), (int)b.size(), label);
            if (ImGui::Button((label + "##opt" + std::to_string(id)).c_str())) quiz_answer(app, id);
            ImGui::SameLine();
        }
        ImGui::NewLine();
    }
    if (r.answered) {
        ImGui::TextColored(r.rank == 1 ? ImVec4(0.35f, 0.75f, 0.4f, 1) : ImVec4(0.95f, 0.6f, 0.3f, 1), "%s", r.text.c_str());
        if (ImGui::SmallButton("Ask again")) quiz_set(app, app.quiz);
        ImGui::SameLine();
        if (ImGui::SmallButton("Close")) quiz_set(app, QUIZ_NONE);
    }
    if (g_log_view) g_quiz_text = ImGui::GetCurrentContext()->LogBuffer.c_str(), ImGui::LogFinish();
    ImGui::EndChild();
    ImGui::PopStyleColor();
}

// ---- chips (shared by every view) -----------------------------------------------------------------
// Long texts (GPT-2's 1024 tokens fill several screens of chips) scroll in a box of a few rows so the
// view below keeps most of the window; the selected token is scrolled into sight when it changes.
static void ui_chips(App& app, const VizTheme& th) {
    static int last_selected = -1;
    static float last_w = 0;
    VizChipsOpts o;
    o.selected = app_selected_token(app);
    o.hover = app.hover_token;
    o.show_ids = true;
    const float full_w = ImGui::GetContentRegionAvail().x;
    const float max_h = std::max(th.font_size * 7.0f, ImGui::GetContentRegionAvail().y * 0.22f);
    viz_scene_clear(g_chips);
    g_chips.clip = VizRect{0, 0, 0, 0};
    VizRect used = viz_chips_build(g_chips, app.token_bytes, app.ids.data(), (int)app.ids.size(), o,
                                   VizRect{0, 0, full_w, 0}, th);
    if (used.h <= max_h) {
        VizHit hit = scene_show(g_chips, "##chips");
        if (hit.kind == VIZ_HIT_CHIP) chip_pointer(app, hit.row);
        last_selected = o.selected;
        return;
    }
    ImGui::BeginChild("##chipbox", ImVec2(0, max_h), false);
    const float w = ImGui::GetContentRegionAvail().x;  // the scrollbar takes some width
    viz_scene_clear(g_chips);
    g_chips.clip = visible_rect();
    used = viz_chips_build(g_chips, app.token_bytes, app.ids.data(), (int)app.ids.size(), o, VizRect{0, 0, w, 0}, th);
    scene_fit(g_chips, used);
    if ((o.selected != last_selected || w != last_w) && o.selected != app.hover_token) {
        // Chips' hit regions are their rectangles, in token order.
        for (const VizHitRegion& r : g_chips.hits)
            if (r.hit.kind == VIZ_HIT_CHIP && r.hit.row == o.selected) {
                float top = ImGui::GetScrollY(), view_h = ImGui::GetWindowHeight();
                if (r.rect.y < top || r.rect.y + r.rect.h > top + view_h) ImGui::SetScrollY(r.rect.y - view_h * 0.4f);
            }
    }
    last_selected = o.selected, last_w = w;
    VizHit hit = scene_show(g_chips, "##chips");
    if (hit.kind == VIZ_HIT_CHIP) chip_pointer(app, hit.row);
    ImGui::EndChild();
}

// ---- views ------------------------------------------------------------------------------------------
static void view_tokens(App& app, const Model* m) {
    int q = app_selected_token(app);
    ImGui::TextWrapped("The tokenizer splits the text into %d pieces (byte-level BPE, vocabulary of %d). Each "
                       "piece becomes an id: a row number in the embedding table. Spaces belong to the token after "
                       "them (shown as ·).", (int)app.ids.size(), m->cfg.vocab_size);
    if (q < 0) return;
    const std::string& b = app.token_bytes[q];
    ImGui::Text("Token %d: \"%s\"  id %d  %d byte%s:", q, token_text(app, q).c_str(), app.ids[q], (int)b.size(),
                b.size() == 1 ? "" : "s");
    std::string hex;
    char buf[8];
    for (unsigned char c : b) snprintf(buf, sizeof buf, "%02X ", c), hex += buf;
    ImGui::SameLine();
    ImGui::TextUnformatted(hex.c_str());
}

static void view_heads(App& app, const VizTheme& th, float w) {
    VizHeadViewOpts o;
    o.layer = app.layer;
    static bool heads_on[64];
    for (int h = 0; h < app.cap.H && h < 64; h++) heads_on[h] = app.head_enabled[h] != 0;
    o.heads_on = heads_on;
    o.focus = app.hover_token;
    o.locked = app.locked_token;
    g_scene.clip = visible_rect();
    VizRect used = viz_head_view_build(g_scene, app.cap, app.token_bytes, o,
                                       VizRect{0, 0, std::min(w, 720.0f), ImGui::GetContentRegionAvail().y}, th);
    scene_fit(g_scene, used);
    VizHit hit = scene_show(g_scene, "##heads");
    if (hit.kind == VIZ_HIT_QUERY) token_pointer(app, hit.row);
    if (hit.kind == VIZ_HIT_KEY) token_pointer(app, hit.col);
    if (hit.kind == VIZ_HIT_HEAD && clicked() && hit.head >= 0 && hit.head < (int)app.head_enabled.size())
        app.head_enabled[hit.head] ^= 1;
}

// Honest colour: what the Matrix view colours (weights or scores), the scale and the palette.
static void colour_controls(App& app) {
    ImGui::RadioButton("weights", &app.matrix_values, 0);
    ImGui::SameLine();
    ImGui::RadioButton("scores before softmax", &app.matrix_values, 1);
    ImGui::SameLine(0, 18);
    if (app.matrix_values == 0) {
        ImGui::RadioButton("one scale", &app.color_scale, 0);
        ImGui::SameLine();
        ImGui::RadioButton("per row", &app.color_scale, 1);
        ImGui::SameLine(0, 18);
    }
    ImGui::SetNextItemWidth(110);
    if (ImGui::BeginCombo("palette", viz_palette_name(app.palette))) {
        for (int p = 0; p < VIZ_PALETTE_COUNT; p++)
            if (ImGui::Selectable(viz_palette_name(p), p == app.palette)) app.palette = p;
        ImGui::EndCombo();
    }
}

static void view_matrix(App& app, const VizTheme& th, float w) {
    colour_controls(app);
    VizMatrixOpts o;
    o.layer = app.layer, o.head = app.head;
    o.legend = true;
    o.row_scale = app.color_scale == 1;
    o.hover_row = app.matrix_hover_row >= 0 ? app.matrix_hover_row : app.hover_token;
    o.hover_col = app.matrix_hover_col;
    o.select_row = app.locked_token;
    o.raster = &g_matrix_raster;
    o.raster_key = capture_key(app) * 31 + (uint64_t)app.layer * 4096 + (uint64_t)app.head;
    o.px_per_unit = ImGui::GetIO().DisplayFramebufferScale.x;
    static std::vector<int> knocked;  // this head's knocked-out (query, key) pairs
    knocked.clear();
    for (const AttentionEdge& e : app.iv.knockout)
        if (e.layer == app.layer && e.head == app.head) knocked.push_back(e.query), knocked.push_back(e.key);
    o.knocked = knocked.data(), o.n_knocked = (int)knocked.size() / 2;
    bool wide = w > 720;
    float mw = wide ? w * 0.62f : w;
    float avail_h = ImGui::GetContentRegionAvail().y;
    g_scene.clip = visible_rect();
    const int T = app.cap.T;
    const float* scores = app.matrix_values == 1 && !app.cap.scores.empty() && app.layer < app.cap.L && app.head < app.cap.H
                              ? app.cap.scores.data() + ((size_t)app.layer * app.cap.H + app.head) * T * T : nullptr;
    VizRect used;
    if (scores) {
        o.diverging = true, o.row_scale = false, o.value_name = "score q\xC2\xB7k/\xE2\x88\x9A" "d before softmax";
        char title[96];
        snprintf(title, sizeof title, "Layer %d \xC2\xB7 head %d: scores before softmax", app.layer, app.head);
        used = viz_matrix_build_raw(g_scene, scores, T, app.token_bytes, title, o, VizRect{0, 0, mw, wide ? avail_h : avail_h * 0.6f}, th);
    } else {
        if (app.matrix_values == 1) ImGui::TextDisabled("(this long text keeps no scores: showing weights)");
        used = viz_matrix_build(g_scene, app.cap, app.token_bytes, o, VizRect{0, 0, mw, wide ? avail_h : avail_h * 0.6f}, th);
    }
    int q = o.hover_row >= 0 ? o.hover_row : app_selected_token(app);
    float tx = wide ? used.x + used.w + 16 : 0, ty = wide ? 0 : used.y + used.h + 12;
    VizRect table = viz_row_table_build(g_scene, app.cap, app.token_bytes, app.layer, app.head, q,
                                        VizRect{tx, ty, wide ? w - tx : w, 0}, th);
    scene_fit(g_scene, used);
    scene_fit(g_scene, table);
    VizHit hit = scene_show(g_scene, "##matrix");
    app.matrix_hover_row = app.matrix_hover_col = -1;
    if (hit.kind == VIZ_HIT_CELL && app.intervene) {  // a click cuts (or restores) this edge
        app.matrix_hover_row = hit.row, app.matrix_hover_col = hit.col;
        app.hover_token = hit.row;
        if (hit.col <= hit.row) {
            ImGui::SetTooltip("Click to %s the edge %s \xE2\x86\x92 %s", app_knocked_out(app, app.layer, app.head, hit.row, hit.col) ? "restore" : "cut",
                              token_text(app, hit.row).c_str(), token_text(app, hit.col).c_str());
            if (clicked()) app_toggle_knockout(app, app.layer, app.head, hit.row, hit.col);
        }
    } else if (hit.kind == VIZ_HIT_CELL) {
        app.matrix_hover_row = hit.row, app.matrix_hover_col = hit.col;
        token_pointer(app, hit.row);
    }
    if (hit.kind == VIZ_HIT_ROW_LABEL) token_pointer(app, hit.row);
    if (hit.kind == VIZ_HIT_COL_LABEL) token_pointer(app, hit.col);
}

// Badge spelling of a role name (model/roles.h).
static const char* role_short(const char* role) {
    static const char* const NAMES[][2] = {{"previous_token", "prev"}, {"duplicate_token", "dup"}, {"induction", "induct"},
                                           {"first_token", "first"},   {"self", "self"},           {"local", "local"}};
    for (auto& n : NAMES)
        if (strcmp(role, n[0]) == 0) return n[1];
    return role;
}

static void view_model(App& app, const VizTheme& th, float w) {
    static int hover_layer = -1, hover_head = -1;  // from the previous frame's hit test
    VizModelViewOpts o;
    o.sel_layer = app.layer, o.sel_head = app.head;
    o.hover_layer = hover_layer, o.hover_head = hover_head;
    o.raster = &g_model_raster;
    o.raster_key = capture_key(app);
    o.px_per_unit = ImGui::GetIO().DisplayFramebufferScale.x;
    // Intervene mode: ablated heads crossed out; every head's top role as a badge.
    static std::vector<uint8_t> crossed;
    static std::vector<std::string> badges;
    const int L = app.cap.L, H = app.cap.H;
    if (app.intervene) {
        crossed.assign((size_t)L * H, 0);
        for (const HeadRef& r : app.iv.ablate)
            if (r.layer < L && r.head < H) crossed[(size_t)r.layer * H + r.head] = 1;
        const std::vector<HeadRoles>& roles = app_roles(app);
        badges.assign((size_t)L * H, std::string());
        for (size_t i = 0; i < roles.size() && i < badges.size(); i++) {
            char b[48];
            snprintf(b, sizeof b, "%s %.2f", role_short(roles[i].top_role(app.roles_uniform)),
                     roles[i].top_score(app.roles_uniform));
            badges[i] = b;
        }
        o.crossed = crossed.data(), o.badges = badges.data();
    }
    g_scene.clip = visible_rect();
    VizRect used = viz_model_view_build(g_scene, app.cap, o, VizRect{0, 0, w, ImGui::GetContentRegionAvail().y}, th);
    scene_fit(g_scene, used);
    VizHit hit = scene_show(g_scene, "##model");
    hover_layer = hit.kind == VIZ_HIT_THUMB ? hit.layer : -1;
    hover_head = hit.kind == VIZ_HIT_THUMB ? hit.head : -1;
    if (hit.kind == VIZ_HIT_THUMB && app.intervene) {
        const bool off = app_ablated(app, hit.layer, hit.head);
        ImGui::SetTooltip("Layer %d, head %d: click to turn it %s (%s ablation)", hit.layer, hit.head, off ? "back on" : "off",
                          app.iv.ablate_mean ? "mean" : "zero");
        if (clicked()) {
            app.layer = hit.layer, app.head = hit.head;
            app_toggle_ablation(app, hit.layer, hit.head);
        }
    } else if (hit.kind == VIZ_HIT_THUMB) {
        ImGui::SetTooltip("Layer %d, head %d: click to open", hit.layer, hit.head);
        if (clicked()) app.layer = hit.layer, app.head = hit.head, app.view = VIEW_MATRIX;
    }
}

static void view_aggregate(App& app, const VizTheme& th, float w) {
    ImGui::RadioButton("mean over heads", &app.aggregate, 0);
    ImGui::SameLine();
    ImGui::RadioButton("rollout through this layer", &app.aggregate, 1);
    ImGui::SameLine();
    ImGui::TextDisabled("(derived from the captured weights, not computed by the model)");
    VizMatrixOpts o;
    o.layer = app.layer, o.head = app.head;
    o.hover_row = app.hover_token, o.select_row = app.locked_token;
    o.raster = &g_matrix_raster;  // long texts: fitted as one image, like the matrix view
    o.raster_key = capture_key(app);  // the aggregate is recomputed only when the capture or layer changes
    o.px_per_unit = ImGui::GetIO().DisplayFramebufferScale.x;
    g_scene.clip = visible_rect();
    VizRect used = viz_aggregate_build(g_scene, app.cap, app.token_bytes, app.aggregate ? VIZ_AGG_ROLLOUT : VIZ_AGG_MEAN,
                                       o, VizRect{0, 0, w, ImGui::GetContentRegionAvail().y}, th, g_work);
    scene_fit(g_scene, used);
    VizHit hit = scene_show(g_scene, "##aggregate");
    if (hit.kind == VIZ_HIT_CELL || hit.kind == VIZ_HIT_ROW_LABEL) token_pointer(app, hit.row);
}

// The learner's "because" table: every number comes from the capture of the selected head
// (attention_steps recomputes q·k/√d from Q and K when a big capture dropped the scores).
static void view_math(App& app, const VizTheme& th, float w) {
    static AttentionSteps st;  // kept across frames: an idle frame does not allocate
    int q = app_selected_token(app);
    if (q < 0 || !attention_steps(app.cap, app.layer, app.head, q, st)) {
        ImGui::TextUnformatted("Select a token.");
        return;
    }
    ImGui::TextWrapped("Layer %d, head %d, query \"%s\". Each key's score is Q·K; dividing by √d_head = √%d = %.2f "
                       "keeps it in range; later tokens are masked (the model cannot look ahead); softmax turns "
                       "the scores into weights that sum to 1; the output is the weighted sum of the value vectors.",
                       app.layer, app.head, token_text(app, q).c_str(), st.D, sqrtf((float)st.D));
    g_scene.clip = visible_rect();
    VizRect used = viz_math_build(g_scene, st, app.token_bytes, std::min(st.D, 4), app.hover_token,
                                  VizRect{0, 0, w, 0}, th);
    scene_fit(g_scene, used);
    VizHit hit = scene_show(g_scene, "##math");
    if (hit.kind == VIZ_HIT_TOKEN) token_pointer(app, hit.row);
}

static void view_embed(App& app, const Model* m, const VizTheme& th) {
    int q = app_selected_token(app);
    if (q < 0) return;
    int C = m->cfg.n_embd, id = app.ids[q];
    static std::vector<float> e_row, drift;  // [C] (the model may keep wte as F16), [L]
    e_row.resize(C);
    model_token_embedding(*m, id, e_row.data());
    float w = std::min(visible_width(), 900.0f);
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + w);
    ImGui::TextWrapped("\"%s\" (id %d) enters the model as row %d of the embedding table: a vector of d_model = %d "
                       "numbers. The width is fixed when the model is built: it never grows, however often the word "
                       "is used. No single number means one thing; the whole vector does. Below the nearest tokens, "
                       "the same token's vector in context after each layer (the residual stream): attention mixes "
                       "in the other tokens, so these rows change with the sentence while the embedding does not.",
                       token_text(app, q).c_str(), id, id, C);
    ImGui::PopTextWrapPos();
    // Nearest tokens by cosine (V × C multiply-adds): computed once per token id and model.
    static int cached_id = -1;
    static const Model* cached_model = nullptr;
    static uint64_t cached_version = 0;
    static int near_ids[9], n_near = 0;
    static float near_sims[9];
    if (cached_id != id || cached_model != m || cached_version != app.weights_version) {
        n_near = model_nearest_tokens(*m, id, 9, near_ids, near_sims);
        cached_id = id, cached_model = m, cached_version = app.weights_version;
    }
    // A taught model: the same row before teaching and its nearest tokens then (cached the same way).
    const Model* orig = app_teach_original(app);
    static std::vector<float> e_before;
    static int before_id = -1, before_ids[9], n_before = 0;
    static float before_sims[9];
    static const Model* before_model = nullptr;
    if (orig) {
        e_before.resize(C);
        model_token_embedding(*orig, id, e_before.data());
        if (before_id != id || before_model != orig) {
            n_before = model_nearest_tokens(*orig, id, 9, before_ids, before_sims);
            before_id = id, before_model = orig;
        }
    }
    capture_stream_drift(app.cap, q, drift);
    VizEmbedData d;
    if (orig) {
        d.embedding_before = e_before.data();
        d.nearest_before_ids = before_ids, d.nearest_before_sims = before_sims, d.n_nearest_before = n_before;
    }
    d.embedding = e_row.data(), d.C = C;
    d.nearest_ids = near_ids, d.nearest_sims = near_sims, d.n_nearest = n_near, d.vocab = &m->tok.id_to_bytes;
    d.cap = &app.cap, d.token = q, d.drift = drift.empty() ? nullptr : drift.data();
    g_scene.clip = visible_rect();
    VizRect used = viz_embed_build(g_scene, d, VizRect{0, 0, w, 0}, th);
    scene_fit(g_scene, used);
    scene_show(g_scene, "##embed");
}

static void view_predict(App& app, const Model* m, const VizTheme& th, float w) {
    // The logit lens is computed only for this view: on entering it, the capture gains it (the tokens'
    // rows are reused, only the lens and the last token are computed).
    if (app.cap.T > 0 && app.cap.lens_k == 0) app_rerun(app);
    else if (app_teach_original(app) && app.probs_before.size() != app.probs.size()) app_update_probs(app);  // "was"
    SamplingParams& sp = app.sampling;
    bool changed = false;
    ImGui::SetNextItemWidth(160);
    changed |= ImGui::SliderFloat("temperature", &sp.temperature, 0.0f, 2.0f, sp.temperature == 0 ? "0 (greedy)" : "%.2f");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    changed |= ImGui::SliderInt("top-k", &sp.top_k, 0, 100, sp.top_k == 0 ? "off" : "%d");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    changed |= ImGui::SliderFloat("top-p", &sp.top_p, 0.05f, 1.0f, sp.top_p >= 1.0f ? "off" : "%.2f");
    ImGui::SameLine();
    int seed = (int)sp.seed;
    ImGui::SetNextItemWidth(90);
    if (ImGui::InputInt("seed", &seed)) sp.seed = (uint64_t)std::max(0, seed);
    ImGui::SameLine();
    if (ImGui::Button("step")) {
        app_step(app);
        EM_ASM({ attnlabTextChanged(); });  // the HTML field shows the appended token
    }
    if (changed) app_update_probs(app);
    int q = (int)app.ids.size() - 1;
    if (q < 0 || app.probs.empty()) return;
    ImGui::TextWrapped("What comes after \"%s\"? The model's distribution over all %d tokens, reshaped by the "
                       "controls (only the kept tokens can be sampled). \"step\" samples one with seed %llu + %d and "
                       "appends it.", token_text(app, q).c_str(), m->cfg.vocab_size, (unsigned long long)sp.seed,
                       app.generated);
    static std::vector<int> ids;
    static std::vector<float> p, before;
    ids.resize(app.top_n), p.resize(app.top_n), before.resize(app.top_n);
    int k = viz_top_k(app.probs.data(), (int)app.probs.size(), app.top_n, ids.data(), p.data());
    const bool taught = app.probs_before.size() == app.probs.size();  // the model is taught: "was" per token
    for (int i = 0; taught && i < k; i++) before[i] = app.probs_before[ids[i]];
    if (taught) ImGui::TextDisabled("The model is taught: each bar's tick and \"was\" are the original model's probability.");
    viz_probs_build(g_scene, ids.data(), p.data(), k, m->tok.id_to_bytes, -1, VizRect{0, 0, std::min(w, 640.0f), 0}, th,
                    taught ? before.data() : nullptr);
    scene_show(g_scene, "##probs");
    // Logit lens: the top token if the model stopped after each layer, at every position.
    const Capture& c = app.cap;
    if (c.lens_k <= 0) return;
    ImGui::TextUnformatted("Logit lens: the top next-token guess after each layer (final LayerNorm + LM head applied early)");
    int cols = std::min(c.T, 64);
    if (ImGui::BeginTable("lens", cols + 1, ImGuiTableFlags_Borders | ImGuiTableFlags_ScrollX | ImGuiTableFlags_SizingFixedFit)) {
        ImGui::TableSetupColumn("");
        for (int t = c.T - cols; t < c.T; t++) ImGui::TableSetupColumn(token_text(app, t).c_str());
        ImGui::TableHeadersRow();
        for (int l = 0; l < c.L; l++) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::Text("layer %d", l);
            for (int t = c.T - cols; t < c.T; t++) {
                ImGui::TableNextColumn();
                const int* ids_lt = capture_lens_ids(c, l, t);
                const float* probs_lt = capture_lens_probs(c, l, t);
                int id = ids_lt ? ids_lt[0] : -1;
                float pr = probs_lt ? probs_lt[0] : 0.0f;
                if (id < 0) {  // long texts: the lens is computed at the last position only
                    ImGui::TextDisabled("–");
                    continue;
                }
                std::string label;
                const std::string& b = tokenizer_token_bytes(m->tok, id);
                viz_token_label(b.data(), (int)b.size(), label);
                ImGui::Text("%s %.0f%%", label.c_str(), pr * 100);
            }
        }
        ImGui::EndTable();
    }
}

// Conversation mode: turns are separated by blank lines; attention from the last turn into each turn.
static void view_context(App& app, const Model* m, const VizTheme& th, float w) {
    static TurnAttention ta;  // kept across frames
    const int T = app.cap.T;
    if (T == 0) return;
    ImGui::TextWrapped("Conversation mode: separate turns with a blank line. Everything in the context window (%d "
                       "tokens; %d used) is re-read for every new token — that is the model's only \"memory\". %s",
                       m->cfg.n_positions, T,
                       app.truncated ? "The text is longer than the window: the tokens past the limit are not seen at all."
                                     : "Text beyond the window would fall out and no longer be attended to.");
    attention_turns(app.cap, app.token_bytes, app.layer, app.head, ta);
    g_scene.clip = visible_rect();
    VizRect used = viz_context_build(g_scene, ta, app.token_bytes, T, m->cfg.n_positions, app.layer, app.head,
                                     VizRect{0, 0, w, 0}, th);
    scene_fit(g_scene, used);
    VizHit hit = scene_show(g_scene, "##context");
    if (hit.kind == VIZ_HIT_TOKEN && hit.row >= 0 && hit.row < T) app.hover_token = hit.row;
}

static void view_compare(App& app, const Model* m, const VizTheme& th, float w) {
    ImGui::TextWrapped("Compare: the same word in two sentences. Its embedding is identical, but after each layer its "
                       "vector carries its context. Pick the token in each sentence.");
    ImGui::SetNextItemWidth(std::min(w, 600.0f));
    if (ImGui::InputText("second sentence", g_compare_buf, sizeof g_compare_buf)) app_set_compare(app, g_compare_buf);
    else if (app.compare_text != g_compare_buf) snprintf(g_compare_buf, sizeof g_compare_buf, "%s", app.compare_text.c_str());
    const Capture& a = app.cap;
    const Capture& b = app.compare_cap;
    int qa = app_selected_token(app);
    if (qa < 0 || b.T == 0) return;
    // Default partner: the same token text in the second sentence, else its last token.
    int qb = app.compare_token;
    if (qb < 0) {
        qb = b.T - 1;
        for (int t = 0; t < b.T; t++)
            if (app.compare_bytes[t] == app.token_bytes[qa]) qb = t;
    }
    ImGui::TextUnformatted("token in sentence 2:");
    for (int t = 0; t < b.T; t++) {
        std::string label;
        viz_token_label(app.compare_bytes[t].data(), (int)app.compare_bytes[t].size(), label);
        ImGui::SameLine();
        ImGui::PushID(t);
        if (ImGui::Selectable(label.c_str(), t == qb, 0, ImGui::CalcTextSize(label.c_str()))) app.compare_token = t;
        ImGui::PopID();
    }
    static std::vector<float> sim;  // [L + 1] input, then after each layer
    capture_stream_similarity(a, qa, b, qb, sim);
    ImGui::Text("\"%s\" (sentence 1, token %d) vs \"%s\" (sentence 2, token %d): cosine similarity of the vectors",
                token_text(app, qa).c_str(), qa, app.compare_bytes[qb].c_str(), qb);
    if (ImGui::BeginTable("cmp", 2, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
        ImGui::TableSetupColumn("stage");
        ImGui::TableSetupColumn("cosine (derived)");
        ImGui::TableHeadersRow();
        for (int l = -1; l + 1 < (int)sim.size(); l++) {
            float cs = sim[l + 1];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            if (l < 0) ImGui::TextUnformatted("embedding + position");
            else ImGui::Text("after layer %d", l);
            ImGui::TableNextColumn();
            char buf[16];
            snprintf(buf, sizeof buf, "%.3f", cs);
            ImGui::ProgressBar(std::max(0.0f, cs), ImVec2(200, 0), buf);
        }
        ImGui::EndTable();
    }
    // Attention from the chosen token in both sentences, side by side (selected layer/head).
    float half = (w - 16) * 0.5f;
    viz_row_table_build(g_scene, a, app.token_bytes, app.layer, app.head, qa, VizRect{0, 0, half, 0}, th);
    viz_row_table_build(g_scene, b, app.compare_bytes, app.layer, app.head, qb, VizRect{half + 16, 0, half, 0}, th);
    scene_show(g_scene, "##compare");
}

// ---- export ---------------------------------------------------------------------------------------
// The current view's scene as SVG (empty if the view drew no scene: the tokens view is text only).

// ---- Intervene panel: the experiment, its effects, patching, head roles --------------------------------
static VizScene g_patch_scene;

static std::string vocab_label(const Model* m, int id) {
    std::string out;
    const std::string& b = tokenizer_token_bytes(m->tok, id);
    viz_token_label(b.data(), (int)b.size(), out);
    return out;
}

// A combo of the text's most likely next tokens (what a logit difference is usually taken between).
static void token_combo(const char* label, const App& app, const Model* m, int& id) {
    static std::vector<int> top;
    top = capture_top_ids(app.probs, 10);
    if (id < 0 && !top.empty()) id = top[std::min<int>(label[0] == 'B' ? 1 : 0, (int)top.size() - 1)];
    ImGui::SetNextItemWidth(130);
    if (ImGui::BeginCombo(label, id >= 0 ? vocab_label(m, id).c_str() : "")) {
        for (int t : top)
            if (ImGui::Selectable((vocab_label(m, t) + "##" + std::to_string(t)).c_str(), t == id)) id = t;
        ImGui::EndCombo();
    }
}

static void intervene_effects(App& app, const Model* m) {
    if (app.base_cap.T == 0) {
        ImGui::TextDisabled("No intervention yet: the runs before and after are the same.");
        return;
    }
    const InterventionEffects& e = app.effects;
    if (std::isfinite(e.loss_before) && std::isfinite(e.loss_after))
        ImGui::TextWrapped("Text loss: %.3f \xE2\x86\x92 %.3f nats per token (%+.3f)", e.loss_before, e.loss_after,
                    e.loss_after - e.loss_before);
    else
        ImGui::TextDisabled("Text loss: needs at least two tokens (and, for big models, a shorter text).");
    ImGui::TextUnformatted("Next token, before \xE2\x86\x92 after:");
    if (ImGui::BeginTable("effects", 4, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
        ImGui::TableSetupColumn("token");
        ImGui::TableSetupColumn("before");
        ImGui::TableSetupColumn("after");
        ImGui::TableSetupColumn("change");
        ImGui::TableHeadersRow();
        for (const TokenChange& c : e.changes) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(vocab_label(m, c.id).c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%.1f%%", c.before * 100);
            ImGui::TableNextColumn();
            ImGui::Text("%.1f%%", c.after * 100);
            ImGui::TableNextColumn();
            ImVec4 col = c.after >= c.before ? ImVec4(0.45f, 0.8f, 0.45f, 1) : ImVec4(0.95f, 0.45f, 0.4f, 1);
            ImGui::TextColored(col, "%+.1f", (c.after - c.before) * 100);
        }
        ImGui::EndTable();
    }
    if (e.maps.empty()) {
        ImGui::TextUnformatted("No attention map changed (a head's own map never does when it is turned off: only "
                               "later layers read its output).");
        return;
    }
    ImGui::TextWrapped("%d attention maps changed (largest change in a weight); click one to open it:", (int)e.maps.size());
    for (size_t i = 0; i < e.maps.size() && i < 12; i++) {
        const MapChange& c = e.maps[i];
        char b[48];
        snprintf(b, sizeof b, c.max_diff < 0.01f ? "L%d H%d %.1e" : "L%d H%d %.2f", c.layer, c.head, c.max_diff);
        if (i % 3) ImGui::SameLine();
        if (ImGui::SmallButton(b)) app.layer = c.layer, app.head = c.head, app.view = VIEW_MATRIX;
    }
}

static void intervene_patching(App& app, const Model* m, const VizTheme& th, float w) {
    ImGui::TextWrapped("Source: the Compare sentence \"%s\" (%d tokens; the text has %d). Each head's output is "
                       "taken from it, one head at a time, and the logit difference between two next tokens is measured.",
                       app.compare_text.c_str(), (int)app.compare_spans.size(), (int)app.ids.size());
    AppPatch& p = app.patch;  // tok_a / tok_b: the learner's picks (-1: the two most likely next tokens)
    token_combo("A##patch", app, m, p.tok_a);
    ImGui::SameLine();
    ImGui::TextUnformatted("minus");
    ImGui::SameLine();
    token_combo("B##patch", app, m, p.tok_b);
    const int n = (int)p.diffs.size();
    const bool running = p.next >= 0 && p.next < n;
    if (running) {
        if (ImGui::Button("Cancel")) app_patch_cancel(app);
    } else if (ImGui::Button("Patch every head")) {
        app_patch_start(app, p.tok_a, p.tok_b);
    }
    if (!p.status.empty()) {
        ImGui::SameLine();
        ImGui::TextWrapped("%s", p.status.c_str());
    }
    if (n > 0 && p.next > 0) {
        ImGui::ProgressBar((float)p.next / n, ImVec2(-1, 0));
        // share of the way from the text's score to the Compare sentence's that patching one head goes
        static std::vector<float> share;
        share.resize(n);
        const float span = p.corrupt - p.clean;
        const bool rel = std::fabs(span) > 1e-4f;
        for (int i = 0; i < n; i++) share[i] = rel ? (p.diffs[i] - p.clean) / span : p.diffs[i] - p.clean;
        ImGui::TextWrapped("logit[%s] \xE2\x88\x92 logit[%s]: %.2f on the text, %.2f on the Compare sentence",
                    vocab_label(m, p.tok_a).c_str(), vocab_label(m, p.tok_b).c_str(), p.clean, p.corrupt);
        viz_scene_clear(g_patch_scene);
        g_patch_scene.clip = VizRect{0, 0, 0, 0};
        const char* title = rel ? "Patch effect (1 = the whole change to the Compare sentence's score)"
                                : "Patch effect (change in the logit difference)";
        VizRect used = viz_head_grid_build(g_patch_scene, share.data(), app.cap.L, app.cap.H, p.next, rel ? 1.0f : 0.0f,
                                           title, VizRect{0, 0, w, 0}, th);
        scene_fit(g_patch_scene, used);
        VizHit hit = scene_show(g_patch_scene, "##patch");
        if (hit.kind == VIZ_HIT_THUMB && hit.layer * app.cap.H + hit.head < p.next) {
            const int i = hit.layer * app.cap.H + hit.head;
            ImGui::SetTooltip("Layer %d, head %d patched: logit difference %.3f (%+.3f)", hit.layer, hit.head, p.diffs[i],
                              p.diffs[i] - p.clean);
        }
    }
}

static void intervene_roles(App& app) {
    const std::vector<HeadRoles>& roles = app_roles(app);
    if (roles.empty()) return;
    static const char* COLS[] = {"head", "top role", "prev", "dup", "induct", "first", "self", "local"};
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_Sortable | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("roles", 8, flags, ImVec2(0, std::min(260.0f, ImGui::GetTextLineHeightWithSpacing() * (roles.size() + 2))))) return;
    for (int c = 0; c < 8; c++) ImGui::TableSetupColumn(COLS[c], c == 0 ? ImGuiTableColumnFlags_DefaultSort : 0);
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableHeadersRow();
    static std::vector<int> order;
    order.resize(roles.size());
    for (size_t i = 0; i < order.size(); i++) order[i] = (int)i;
    auto score = [&](int i, int col) -> float {
        const HeadRoles& r = roles[i];
        switch (col) {
        case 1: return r.top_score(app.roles_uniform);
        case 2: return r.previous_token;
        case 3: return r.duplicate_token;
        case 4: return r.induction;
        case 5: return r.first_token;
        case 6: return r.self;
        case 7: return r.local;
        default: return (float)-i;  // head order
        }
    };
    if (ImGuiTableSortSpecs* ss = ImGui::TableGetSortSpecs(); ss && ss->SpecsCount > 0) {
        const int col = ss->Specs[0].ColumnIndex;
        const bool asc = ss->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
            return col == 0 ? (asc ? a < b : a > b) : (asc ? score(a, col) < score(b, col) : score(a, col) > score(b, col));
        });
    }
    for (int i : order) {
        const HeadRoles& r = roles[i];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        char b[24];
        snprintf(b, sizeof b, "L%d H%d", r.layer, r.head);
        if (ImGui::Selectable(b, r.layer == app.layer && r.head == app.head, ImGuiSelectableFlags_SpanAllColumns))
            app.layer = r.layer, app.head = r.head;
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(role_short(r.top_role(app.roles_uniform)));
        for (float v : {r.previous_token, r.duplicate_token, r.induction, r.first_token, r.self, r.local}) {
            ImGui::TableNextColumn();
            ImGui::Text("%.2f", v);
        }
    }
    ImGui::EndTable();
}

static void intervene_like(App& app) {
    // O(L·H·T²): computed when the capture or the head changes, not every frame
    static std::vector<HeadSimilarity> like;
    static uint64_t like_key = 0;
    const uint64_t key = capture_key(app) * 31 + (uint64_t)app.layer * 4096 + (uint64_t)app.head;
    if (key != like_key) like = heads_like(app.cap, app.layer, app.head), like_key = key;
    if (like.empty()) return;
    ImGui::TextWrapped("Heads like L%d H%d on this text (attention-pattern similarity):", app.layer, app.head);
    for (size_t i = 0; i < like.size() && i < 6; i++) {
        char b[40];
        snprintf(b, sizeof b, "L%d H%d %.2f##like", like[i].layer, like[i].head, like[i].similarity);
        if (i % 3) ImGui::SameLine();
        if (ImGui::SmallButton(b)) app.layer = like[i].layer, app.head = like[i].head;
    }
}

static void ui_intervene_panel(App& app, const Model* m, const VizTheme& th) {
    const float w = ImGui::GetContentRegionAvail().x;
    ImGui::TextWrapped("Intervene: in Model, click a head to turn it off; in Matrix, click a cell to cut that "
                       "attention edge. Every change re-runs the model.");
    ImGui::TextUnformatted("ablation:");
    ImGui::SameLine();
    int mode = app.iv.ablate_mean ? 1 : 0;
    bool changed = ImGui::RadioButton("zero", &mode, 0);
    ImGui::SameLine();
    changed |= ImGui::RadioButton("mean over the text", &mode, 1);
    if (changed && (mode == 1) != app.iv.ablate_mean) {
        app.iv.ablate_mean = mode == 1;
        app_rerun(app);
    }
    const std::string ab = format_heads(app.iv.ablate), ko = format_edges(app.iv.knockout);
    if (ab.empty() && ko.empty()) {
        ImGui::TextDisabled("Nothing is turned off.");
    } else {
        ImGui::TextWrapped("Off: %s%s%s%s%s", ab.empty() ? "" : "heads ", ab.c_str(), ab.empty() || ko.empty() ? "" : "; ",
                           ko.empty() ? "" : "edges ", ko.c_str());
        if (ImGui::SmallButton("Clear all")) app_clear_interventions(app);
    }
    ImGui::Separator();
    intervene_effects(app, m);
    ImGui::Separator();
    intervene_like(app);
    if (ImGui::CollapsingHeader("Patching: which heads carry the difference?", ImGuiTreeNodeFlags_DefaultOpen))
        intervene_patching(app, m, th, w);
    if (ImGui::CollapsingHeader("Head roles (on repeated random sequences)")) intervene_roles(app);
}

// Memory: the transformer beside the LSTM on the same text (app/memory.h computes, a few units a frame).
static void view_memory(App& app, const VizTheme& th, float w) {
    ImGui::TextWrapped("Memory: how much each earlier token changes the prediction after the selected one, for the "
                       "transformer (it re-reads every token through attention) and for an LSTM of about the same size "
                       "(it carries one state vector forward, rewriting it at each token). Influence is occlusion: the "
                       "KL divergence when a token is replaced by \u201cthe\u201d. Click a token to explain its prediction.");
    memory_step(app, 8.0);
    const AppMemory& mem = app.memory;
    if (mem.failed) {
        ImGui::TextWrapped("%s", mem.status.c_str());
        return;
    }
    const int T = (int)mem.ids.size();
    const MemoryRow row = memory_row(app);
    if (row.position < 0) {
        const float done = T > 0 ? (float)(mem.gpt_job.done + mem.lstm_job.done) / (2 * T) : 0.0f;
        ImGui::ProgressBar(done, ImVec2(std::min(w, 420.0f), 0), mem.status.c_str());
    } else {
        ImGui::TextDisabled("%s", mem.status.c_str());
    }
    VizMemoryData d;
    d.tokens = &app.token_bytes, d.T = T, d.position = app_selected_token(app), d.hover = app.hover_token;
    d.names[0] = mem.gpt->name.c_str(), d.names[1] = mem.lstm->name.c_str();
    if (row.position >= 0) {
        d.influence[0] = row.transformer.data(), d.influence[1] = row.lstm.data(), d.rollout = row.rollout.data();
        d.by_distance[0] = mem.by_distance[0].data(), d.by_distance[1] = mem.by_distance[1].data();
    }
    d.cell_norm = mem.cell_norm.data(), d.forget = mem.forget.data(), d.lstm_layers = mem.lstm->cfg.num_layers;
    g_scene.clip = visible_rect();
    scene_fit(g_scene, viz_memory_build(g_scene, d, VizRect{0, 0, w, 0}, th));
    const VizHit hit = scene_show(g_scene, "##memory");
    if (hit.kind == VIZ_HIT_TOKEN) token_pointer(app, hit.row);
}

// ---- Teach: fine-tune the selected model on a text (app/teach.h) ---------------------------------------
static char g_teach_buf[2048];
static void ui_teach_panel(App& app, const Model* m) {
    AppTeach& t = app.teach;
    ImGui::TextWrapped("Teach: the model trains on a text here in your browser (AdamW, a few steps a frame). Its "
                       "vectors keep their width (d_model = %d); only their values move. Watch Embed, Predict and the maps.",
                       m->cfg.n_embd);
    // the box shows the text being (or last) taught, else the current text
    static std::string shown;
    if (!t.text.empty() && t.text != shown) snprintf(g_teach_buf, sizeof g_teach_buf, "%s", t.text.c_str()), shown = t.text;
    if (g_teach_buf[0] == 0) snprintf(g_teach_buf, sizeof g_teach_buf, "%s", app.text.c_str());
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextMultiline("##teach_text", g_teach_buf, sizeof g_teach_buf, ImVec2(-1, ImGui::GetTextLineHeight() * 3.5f));
    if (ImGui::SmallButton("use the current text")) snprintf(g_teach_buf, sizeof g_teach_buf, "%s", app.text.c_str());
    TeachOptions& o = t.o;  // the last teaching's options are the next one's (the controls rest while it runs)
    ImGui::BeginDisabled(t.running);
    ImGui::SetNextItemWidth(140);
    ImGui::SliderInt("steps", &o.steps, 1, 200);
    ImGui::SetNextItemWidth(140);
    ImGui::SliderFloat("learning rate", &o.lr, 1e-5f, 1e-2f, "%.5f", ImGuiSliderFlags_Logarithmic);
    ImGui::SetNextItemWidth(140);
    ImGui::Combo("train", &o.part, "all weights\0the embeddings only\0one layer\0");
    if (o.part == TEACH_LAYER) {
        next_fits(80);
        ImGui::SetNextItemWidth(80);
        ImGui::SliderInt("##teach_layer", &o.layer, 0, m->cfg.n_layer - 1, "layer %d");
    }
    o.layer = std::clamp(o.layer, 0, m->cfg.n_layer - 1);
    ImGui::EndDisabled();
    if (!t.running) {
        if (ImGui::Button("Teach")) {
            TeachOptions next = o;
            next.seed = app.sampling.seed;
            app_teach_start(app, g_teach_buf, next);
        }
    } else if (ImGui::Button("Stop")) {
        app_teach_stop(app);
    }
    next_fits(ImGui::CalcTextSize("Reset to original").x + 16);
    ImGui::BeginDisabled(!app.teach.original || t.running);
    if (ImGui::Button("Reset to original")) app_teach_reset(app);
    next_fits(ImGui::CalcTextSize("Download taught model").x + 16);
    if (ImGui::Button("Download taught model")) EM_ASM({ attnlab.downloadModel(); });
    ImGui::EndDisabled();
    if (t.running) ImGui::ProgressBar((float)t.losses.size() / t.o.steps, ImVec2(-1, 0));
    if (!t.status.empty()) ImGui::TextWrapped("%s", t.status.c_str());
    if (!t.losses.empty()) {
        float hi = *std::max_element(t.losses.begin(), t.losses.end());
        ImGui::PlotLines("##loss", t.losses.data(), (int)t.losses.size(), 0, "loss (nats per token) by step", 0.0f, hi * 1.05f,
                         ImVec2(ImGui::GetContentRegionAvail().x, 90));
    }
    if (app_model_modified(app))
        ImGui::TextWrapped("The views show the taught model. Embed and Predict compare it with the original.");
}

std::string ui_export_svg(const App& app) {
    std::string out;
    if (g_scene.prims.empty()) return out;
    VizTheme th = ui_theme(app);
    viz_svg_write(g_scene, out, &th.bg);
    // a figure of an intervened run says so (the same canonical text as the JSON's "interventions")
    const size_t open_end = out.find('>', out.find("<svg"));
    if (!app.cap.interventions.empty() && open_end != std::string::npos) {
        std::string desc = "<desc>interventions: ";
        viz_xml_escape(app.cap.interventions.data(), (int)app.cap.interventions.size(), desc);
        out.insert(open_end + 1, desc + "</desc>");
    }
    return out;
}

// ---- what the view drew, for the e2e tests ---------------------------------------------------------
// The ImGui text of the view (tables, sentences, progress-bar labels; not scene text, which the SVG
// export has) is collected with ImGui's own logging, only after a test first asks for it, and the
// view's area on the canvas in CSS pixels.

const char* ui_view_text() {
    g_log_view = true;  // from the next frame on
    return g_view_text.c_str();
}
float ui_view_rect(int i) { return i >= 0 && i < 4 ? g_view_rect[i] : 0.0f; }

// ---- frame ----------------------------------------------------------------------------------------
void ui_frame(App& app) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    ImGui::Begin("##main", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus);
    const Model* m = app_model(app);
    VizTheme th = ui_theme(app);
    int hover_before = app.hover_token;
    app.hover_token = -1;
    ui_header(app, m);
    if (!m) {
        ImGui::TextUnformatted(app.model_status.empty() ? "Loading the model…" : app.model_status.c_str());
        ImGui::End();
        return;
    }
    app_clamp(app);
    if (!app.notice.empty()) ImGui::TextColored(ImVec4(1.0f, 0.75f, 0.3f, 1.0f), "%s", app.notice.c_str());
    if (!app.hint.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::TextWrapped("%s", app.hint.c_str());
        ImGui::PopStyleColor();
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) app.hint.clear();  // read: the first click ends it
    }
    ui_tour(app);
    ui_quiz(app, m);
    ui_chips(app, th);
    ImGui::Separator();
    // Patching runs a few heads per frame (8 ms), so the page stays responsive and shows progress.
    if (app.patch.next >= 0 && app.patch.next < (int)app.patch.diffs.size()) app_patch_step(app, 8.0);
    // Teaching too: steps for up to 10 ms a frame, then the views re-run on the new weights.
    if (app.teach.running) app_teach_step(app, 10.0);
    // Intervene: its panel beside the view on wide windows, above it on narrow ones.
    std::string logged;
    const float full_w = ImGui::GetContentRegionAvail().x;
    const bool panel_on = app.intervene || app.teach_open;
    const bool side = panel_on && full_w >= 860;
    const float panel_w = std::min(420.0f, full_w * 0.36f);
    auto panel = [&](ImVec2 size) {
        ImGui::BeginChild("##intervene", size, true);
        if (g_log_view) ImGui::LogToBuffer();
        if (app.teach_open) ui_teach_panel(app, m);
        if (app.teach_open && app.intervene) ImGui::Separator();
        if (app.intervene) ui_intervene_panel(app, m, th);
        if (g_log_view) logged += ImGui::GetCurrentContext()->LogBuffer.c_str(), ImGui::LogFinish();
        ImGui::EndChild();
    };
    if (panel_on && !side) panel(ImVec2(0, std::max(160.0f, ImGui::GetContentRegionAvail().y * 0.45f)));
    ImGui::BeginChild("##view", ImVec2(side ? full_w - panel_w - 8 : 0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    ImVec2 view_pos = ImGui::GetWindowPos(), view_size = ImGui::GetWindowSize();
    g_view_rect[0] = view_pos.x, g_view_rect[1] = view_pos.y, g_view_rect[2] = view_size.x, g_view_rect[3] = view_size.y;
    if (g_log_view) ImGui::LogToBuffer();
    viz_scene_clear(g_scene);
    g_scene.clip = VizRect{0, 0, 0, 0};  // views that scroll set it to what is visible
    float w = ImGui::GetContentRegionAvail().x;
    if (app.cap.T > 0 && quiz_waiting(app)) {
        ImGui::TextDisabled("The model's numbers appear after your answer.");
    } else if (app.cap.T > 0) {
        switch (app.view) {
        case VIEW_TOKENS: view_tokens(app, m); break;
        case VIEW_HEADS: view_heads(app, th, w); break;
        case VIEW_MATRIX: view_matrix(app, th, w); break;
        case VIEW_MODEL: view_model(app, th, w); break;
        case VIEW_MATH: view_math(app, th, w); break;
        case VIEW_AGGREGATE: view_aggregate(app, th, w); break;
        case VIEW_EMBED: view_embed(app, m, th); break;
        case VIEW_PREDICT: view_predict(app, m, th, w); break;
        case VIEW_CONTEXT: view_context(app, m, th, w); break;
        case VIEW_COMPARE: view_compare(app, m, th, w); break;
        case VIEW_MEMORY: view_memory(app, th, w); break;
        }
    }
    if (g_log_view) logged = ImGui::GetCurrentContext()->LogBuffer.c_str() + logged, ImGui::LogFinish();
    // Touch and mouse: dragging the view scrolls it (a tap still hovers/locks a token).
    ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 6.0f)) {
        ImGui::SetScrollX(ImGui::GetScrollX() - io.MouseDelta.x);
        ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
    }
    ImGui::EndChild();
    if (side) {
        ImGui::SameLine();
        panel(ImVec2(0, 0));
    }
    if (g_log_view) g_view_text = g_tour_text + g_quiz_text + logged, g_tour_text.clear(), g_quiz_text.clear();
    ui_help();
    ImGui::End();
    (void)hover_before;
}
