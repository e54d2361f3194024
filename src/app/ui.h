// ImGui panels of the page. Reads App, writes only view/selection/sampling fields.
#pragma once
#include <string>

#include "app/app.h"

void ui_init(App& app);   // style, theme
void ui_frame(App& app);  // one frame of every panel
void ui_key(App& app, int scancode);  // keyboard shortcuts (help overlay lists them)
std::string ui_export_svg(const App& app);  // the current view's scene as SVG ("" for table views)
