// ImGui panels of the page. Reads App, writes only view/selection/sampling fields.
#pragma once
#include <string>

#include "app/app.h"

void ui_init(App& app);   // style, theme
void ui_frame(App& app);  // one frame of every panel
void ui_key(App& app, int scancode);  // keyboard shortcuts (help overlay lists them)
std::string ui_export_svg(const App& app);  // the current view's scene as SVG ("" for table views)
// For the e2e tests: the text the view drew in the last frame (collected from the first call on) and
// its area on the canvas in CSS pixels (i: 0 x, 1 y, 2 width, 3 height).
const char* ui_view_text();
float ui_view_rect(int i);
