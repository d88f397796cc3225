// Look of the visualizer: fonts (DejaVu from fonts-dejavu-core, rasterised at the size the mode
// needs by rebuilding the atlas: never a blurry global scale), the light, dark and high-contrast
// themes, presentation mode, the palette the canvas draws with, and number formatting.
// docs/ui.md ("Look and feel") describes the design: one accent colour (orange) means "now", one
// colour (teal) marks the window, calm neutral surfaces, and a type scale of four sizes.
// Depends on ImGui and app_state.hpp; makes no GL call itself except through the ImGui backend.
#pragma once

#include <imgui.h>

#include <string>

#include "app/ui/app_state.hpp"

namespace cs::ui {

// Colours the views draw with; they change with the theme.
struct Palette {
  ImU32 canvas_bg;  // the surface views draw on (the window background)
  ImU32 text;
  ImU32 text_dim;
  ImU32 grid;          // cell borders
  ImU32 input_border;  // the unpadded input's outline
  ImU32 pad_fill;      // padding cells
  ImU32 pad_text;      // what a padding cell reads
  ImU32 empty_fill;    // output cells not written yet
  ImU32 frame;         // the kernel's window frame: the one colour of "the window"
  ImU32 tap;           // the accent, "now": the tap being multiplied now
  ImU32 tap_done;      // taps already multiplied in this window
  ImU32 current_out;   // the output cell being computed (the accent again)
  ImU32 hover;         // receptive field / fed outputs of the hovered cell
  ImU32 argmax;        // pooling's chosen cell
  ImU32 error;         // error sentences
  ImU32 accent;        // headings (ink: the hierarchy is the bold face, not a second hue)
  ImU32 veil;          // cells inside the window that are not taps (dilation), drawn over them
  ImVec4 error_v4;
  ImVec4 dim_v4;
  ImVec4 accent_v4;
  ImVec4 tap_v4;   // the accent as text: a shade of `tap` that reads at body size on the surface
  float line;      // base line thickness (thicker in presentation / high contrast)
  float pale_mix;  // how far a padding cell's colour goes towards the surface (paler())
};
const Palette& palette();

// The three themes' palettes (high_contrast wins over dark); `scale` thickens the lines.
// Pure: for the tests of contrast and colour-blind separation.
Palette make_palette(bool dark, bool high_contrast, float scale);

// The type scale, as multiples of the body size (AppState::font_size, 16 px by default):
//   heading  DejaVu Sans Bold   1.125  lesson title, view sections, "Output y[...]"
//   body     DejaVu Sans        1      labels, sentences, controls
//   numbers  DejaVu Sans Mono   1      formulas, values, arithmetic; 1.5 in big cells
//   caption  DejaVu Sans 0.8125, DejaVu Sans Mono 0.75   hints, the products under a partial sum
struct TypeScale {
  static constexpr float heading = 1.125f;
  static constexpr float numbers_big = 1.5f;
  static constexpr float caption = 0.8125f;
  static constexpr float caption_mono = 0.75f;
};
const Palette& palette();

// Fonts of the current atlas. mono is for numbers and formulas; heading is bold.
ImFont* ui_font();
ImFont* mono_font();
ImFont* heading_font();
ImFont* mono_big_font();    // 1.5× mono, for numbers in big cells
ImFont* mono_small_font();  // caption mono (0.75×), for numbers in small cells and products
ImFont* caption_font();     // caption sans (0.8125×), for hints under controls
// The cell-number font for text of `size` pixels: the largest mono font rasterised at most that
// big, so numbers are drawn at a size the atlas holds (sharp with the atlas' nearest filtering).
ImFont* number_font(float size);

// Builds fonts, style and palette for the state's mode (first call, and again whenever
// presentation, high_contrast, dark_theme, diverging_palette or font_size changed); also hands the
// diverging palette to gpu::set_diverging_palette so the live preview draws in it. Call it BETWEEN
// frames (before ImGui::NewFrame): a size change rebuilds the font atlas and recreates the
// backend's font texture (a colour change does not). A missing font falls back to ImGui's default
// font and sets state.banner. Returns true when something was rebuilt.
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

// Cell colour for value v on the chosen diverging scale (gpu::diverging_colour: blue < 0, white at
// 0, red or orange > 0) normalised by max_abs; pale draws it closer to the surface (padding
// cells).
ImU32 value_colour(double v, double max_abs, bool pale = false);
// A padding cell's colour: `colour` moved pal.pale_mix of the way towards the surface (paler on
// paper, darker on slate), so pal.pad_text reads on it.
ImU32 paler(ImU32 colour, const Palette& pal);
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
