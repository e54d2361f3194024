// viz SVG backend: Scene → standalone SVG document (the page's "Export SVG"). Written from the same scene
// the ImGui backend draws, so the figure matches the screen; one element per prim, in prim order.
#pragma once
#include <string>

#include "viz/scene.h"

// Appends an <svg> document to out: viewBox "0 0 s.w s.h" in logical units, then exactly one
// <rect>/<line>/<polygon>/<circle>/<text> per prim. Prims with a role get class="<role>" and,
// where set, data-i="tag0" data-j="tag1" (and data-head for links) so tests and readers can find
// cells. background (optional) becomes a CSS background on the root, not an extra element.
// Token text is XML-escaped: a token "<script>" is text, never markup.
void viz_svg_write(const VizScene& s, std::string& out, const VizColor* background = nullptr);
