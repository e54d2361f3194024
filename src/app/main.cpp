// Browser entry: SDL2 window + WebGL2 context, Dear ImGui, the frame loop, HiDPI handling.
#include <emscripten.h>
#include <emscripten/html5.h>

#include <SDL.h>
#include <SDL_opengles2.h>

#include "imgui.h"
#include "imgui_impl_opengl3.h"
#include "imgui_impl_sdl.h"

#include "app/app.h"
#include "app/font_ranges.h"
#include "app/ui.h"

#include <cstring>
#include <vector>

static SDL_Window* g_window = nullptr;
static SDL_GLContext g_gl = nullptr;
static double g_css_w = 0, g_css_h = 0, g_dpr = 0;  // canvas size in CSS px, devicePixelRatio
static std::vector<unsigned char> g_font_ttf;       // kept alive: ImGui rebuilds the atlas from it
static double g_scale_override = 0;                 // > 0 while exporting a PNG at a fixed scale
static std::vector<unsigned char> g_pixels;         // the last exported frame, RGBA, top row first
static double g_frame_ms = 0;                       // CPU time of the last frame (UI build + GL submission)

// ---- fonts ----------------------------------------------------------------------------------------
// The atlas is rasterized at the device pixel ratio and drawn at 1/dpr scale: crisp text on HiDPI.
static void fonts_rebuild(float dpr) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    if (!g_font_ttf.empty()) {
        ImFontConfig cfg;
        cfg.FontDataOwnedByAtlas = false;
        io.Fonts->AddFontFromMemoryTTF(g_font_ttf.data(), (int)g_font_ttf.size(), 15.0f * dpr, &cfg, FONT_RANGES);
        io.FontGlobalScale = 1.0f / dpr;
    } else {
        ImFontConfig cfg;
        cfg.SizePixels = 13.0f * dpr;
        io.Fonts->AddFontDefault(&cfg);
        io.FontGlobalScale = 1.0f / dpr;
    }
    io.Fonts->Build();
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
}

extern "C" EMSCRIPTEN_KEEPALIVE void attnlab_set_font(const unsigned char* data, int len) {
    g_font_ttf.assign(data, data + len);
    fonts_rebuild((float)(g_dpr > 0 ? g_dpr : 1.0));
}

// ---- canvas size ------------------------------------------------------------------------------------
// The canvas fills its container; SDL (ALLOW_HIGHDPI) sizes the backing store to CSS size × dpr.
// The size comes from the container (#stage): the canvas's own CSS size is the inline size set here,
// so it would never shrink when the header above grows (a load message, wrapped controls), and the
// bottom of the view would be cut off.
static void canvas_sync() {
    double w, h;
    emscripten_get_element_css_size("#stage", &w, &h);
    double dpr = g_scale_override > 0 ? g_scale_override : emscripten_get_device_pixel_ratio();
    if (w < 1 || h < 1) return;
    if (w == g_css_w && h == g_css_h && dpr == g_dpr) return;
    bool dpr_changed = dpr != g_dpr;
    g_css_w = w, g_css_h = h, g_dpr = dpr;
    SDL_SetWindowSize(g_window, (int)w, (int)h);
    emscripten_set_canvas_element_size("#canvas", (int)(w * dpr + 0.5), (int)(h * dpr + 0.5));
    emscripten_set_element_css_size("#canvas", w, h);
    if (dpr_changed) fonts_rebuild((float)dpr);
}

// ---- frame ----------------------------------------------------------------------------------------
static void frame() {
    double t0 = emscripten_get_now();
    canvas_sync();
    SDL_Event ev;
    while (SDL_PollEvent(&ev)) {
        ImGui_ImplSDL2_ProcessEvent(&ev);
        if (ev.type == SDL_KEYDOWN) ui_key(g_app, ev.key.keysym.scancode);
    }

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplSDL2_NewFrame();
    ImGuiIO& io = ImGui::GetIO();
    // SDL reports the window size; the drawable is the canvas backing store (CSS px × dpr).
    io.DisplaySize = ImVec2((float)g_css_w, (float)g_css_h);
    io.DisplayFramebufferScale = ImVec2((float)g_dpr, (float)g_dpr);
    if (io.DeltaTime <= 0.0f) io.DeltaTime = 1.0f / 60.0f;  // virtual time in headless runs
    ImGui::NewFrame();
    ui_frame(g_app);
    ImGui::Render();

    int fb_w = (int)(g_css_w * g_dpr + 0.5), fb_h = (int)(g_css_h * g_dpr + 0.5);
    glViewport(0, 0, fb_w, fb_h);
    const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    g_app.frames++;
    g_frame_ms = emscripten_get_now() - t0;
}

// For measurements (bench/gpt2small_page.mjs): the GPU's share of a frame is not in this number.
extern "C" EMSCRIPTEN_KEEPALIVE double attnlab_frame_ms() { return g_frame_ms; }

// For measurements (bench/gpt2small_page.mjs): the bare forward pass on the current text (no captures,
// the last position's logits only) in ms, the floor that a page update's run_ms is compared with.
extern "C" EMSCRIPTEN_KEEPALIVE double attnlab_bench_forward() {
    const Model* m = app_model(g_app);
    if (!m || g_app.ids.empty()) return -1;
    static Capture cap;  // kept: holds one row of logits
    CaptureOptions co;
    co.attention = co.scores = co.qkv = co.residuals = false;
    std::string err;
    const double t0 = emscripten_get_now();
    if (!model_forward(*m, g_app.ids, co, cap, err)) return -1;
    return emscripten_get_now() - t0;
}

// ---- PNG export: render one frame at `scale` device pixels per CSS pixel and read it back --------------
extern "C" EMSCRIPTEN_KEEPALIVE unsigned char* attnlab_read_frame(double scale, int* out_w, int* out_h) {
    g_scale_override = scale;
    frame();
    frame();  // the first frame after a scale change lays out with the new font atlas
    int w = (int)(g_css_w * g_dpr + 0.5), h = (int)(g_css_h * g_dpr + 0.5);
    g_pixels.resize((size_t)w * h * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, g_pixels.data());
    // GL rows start at the bottom; images start at the top.
    std::vector<unsigned char> row((size_t)w * 4);
    for (int y = 0; y < h / 2; y++) {
        unsigned char* a = g_pixels.data() + (size_t)y * w * 4;
        unsigned char* b = g_pixels.data() + (size_t)(h - 1 - y) * w * 4;
        memcpy(row.data(), a, row.size()), memcpy(a, b, row.size()), memcpy(b, row.data(), row.size());
    }
    g_scale_override = 0;  // the next regular frame returns to the device's ratio
    *out_w = w, *out_h = h;
    return g_pixels.data();
}

int main(int, char**) {
    SDL_SetHint(SDL_HINT_EMSCRIPTEN_KEYBOARD_ELEMENT, "#canvas");  // keys typed in the text field stay there
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
        EM_ASM({ attnlabFatal("SDL could not start: " + UTF8ToString($0)); }, SDL_GetError());
        return 1;
    }
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_ES);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    g_window = SDL_CreateWindow("Attention Lab", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 800, 600,
                                SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    g_gl = g_window ? SDL_GL_CreateContext(g_window) : nullptr;
    if (!g_gl) {
        EM_ASM({ attnlabFatal("This page needs WebGL2, which this browser did not provide."); });
        return 1;
    }
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    ui_init(g_app);
    ImGui_ImplSDL2_InitForOpenGL(g_window, g_gl);
    ImGui_ImplOpenGL3_Init("#version 300 es");
    canvas_sync();
    EM_ASM({ attnlabStarted(); });
    emscripten_set_main_loop(frame, 0, false);
    return 0;
}
