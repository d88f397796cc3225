// Look of the visualizer: fonts (DejaVu from fonts-dejavu-core, rasterised at the size the mode
// needs by rebuilding the atlas: never a blurry global scale), the normal and high-contrast
// themes, presentation mode, the palette the canvas draws with, and number formatting.
// Depends on ImGui and app_state.hpp; makes no GL call itself except through the ImGui backend.
#pragma once

#include <imgui.h>

#include <string>

#include "app/ui/app_state.hpp"

namespace cs::ui {

// Colours the views draw with; they change with the theme.
struct Palette {
  ImU32 canvas_bg;
  ImU32 text;
  ImU32 text_dim;
  ImU32 grid;          // cell borders
  ImU32 input_border;  // the unpadded input's outline
  ImU32 pad_fill;      // padding cells
  ImU32 pad_text;      // what a padding cell reads
  ImU32 empty_fill;    // output cells not written yet
  ImU32 frame;         // the kernel's window frame
  ImU32 tap;           // the tap being multiplied now
  ImU32 tap_done;      // taps already multiplied in this window
  ImU32 current_out;   // the output cell being computed
  ImU32 hover;         // receptive field / fed outputs of the hovered cell
  ImU32 argmax;        // pooling's chosen cell
  ImU32 error;         // error sentences
  ImU32 accent;        // headings
  ImVec4 error_v4;
  ImVec4 dim_v4;
  ImVec4 accent_v4;
  ImVec4 tap_v4;
  float line;  // base line thickness (thicker in presentation / high contrast)
};
const Palette& palette();

// Fonts of the current atlas. mono is for numbers and formulas; heading is bold.
ImFont* ui_font();
ImFont* mono_font();
ImFont* heading_font();
ImFont* mono_big_font();    // 1.5× mono, for numbers in big cells
ImFont* mono_small_font();  // 0.7× mono, for numbers in small cells
// The cell-number font for text of `size` pixels: the largest mono font rasterised at most that
// big, so numbers are drawn at a size the atlas holds (sharp with the atlas' nearest filtering).
ImFont* number_font(float size);

// Builds fonts and style for the state's mode (first call, and again whenever presentation,
// high_contrast or font_size changed). Call it BETWEEN frames (before ImGui::NewFrame): a change
// rebuilds the font atlas and recreates the backend's font texture. A missing font falls back to
// ImGui's default font and sets state.banner. Returns true when something was rebuilt.
bool refresh_theme(AppState& state);

// The presentation mode's scale for a window `window_height` pixels tall: fonts and cells grow
// with the screen, so a number takes the same share of a 720p or a 4K projector.
float presentation_scale_for(float window_height);
// Window flags of the stage's views (canvas, arithmetic, timeline): no title bars in
// presentation mode, where the room is the audience's.
ImGuiWindowFlags stage_flags(const AppState& state);
// Call before a view's End(): notes the view in state.overflow when its content scrolls
// (vertically; also sideways when `horizontal`, for views with a horizontal scrollbar).
void report_fit(AppState& state, const char* view, bool horizontal = false);
// The window padding of presentation mode's slim timeline strip.
float slim_padding();
// 1 in normal mode, presentation_scale in presentation mode.
float ui_scale(const AppState& state);
// The pixel size text is rasterised at now.
float text_size(const AppState& state);

// Numbers as students read them: integers without decimals, others with up to `digits`
// significant digits, the minus sign as U+2212 ("−3", "0.25", "1.5e+03").
std::string fmt(double v, int digits = 4);
// Same, in parentheses when negative, for writing products: "2·(−1)".
std::string fmt_factor(double v, int digits = 4);

// Cell colour for value v on a diverging scale (blue < 0 < red, white at 0) normalised by
// max_abs; dim_padding draws it paler (padding cells).
ImU32 value_colour(double v, double max_abs, bool pale = false);
// Black or white, whichever reads better on `bg`.
ImU32 text_colour_on(ImU32 bg);

// A horizontal colour legend from −max_abs to +max_abs at the cursor, `width` wide.
void draw_colour_legend(double max_abs, float width);

// Draws `text` centred in [a, b] with `font` at `size` (clipped to the rectangle).
void text_centred(ImDrawList* dl, ImFont* font, float size, ImVec2 a, ImVec2 b, ImU32 colour,
                  const std::string& text);

// The output-size formula (conv2d_formula / pool2d_formula), one line per axis in the mono font;
// a line too long for the panel breaks after its general form, before the numbers. compact: a
// line too long keeps only "out_h = <the numbers>" (the general form in a tooltip).
void draw_formula(const std::string& formula, bool compact = false);

}  // namespace cs::ui
