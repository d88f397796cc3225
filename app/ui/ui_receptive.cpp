// The Receptive field view (see ui_receptive.hpp): picks a stack (a built-in example or a
// layers file) and an input size, asks core/receptive_field for the table and the hovered
// cell's boxes, and draws one grid per level with the field outlined. No arithmetic of its own.
#include "app/ui/ui_receptive.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "app/ui/stack_editor.hpp"
#include "app/ui/stack_maps.hpp"
#include "app/ui/ui_stack_editor.hpp"
#include "app/ui/ui_theme.hpp"
#include "core/layers.hpp"
#include "core/receptive_field.hpp"

namespace cs {

struct ReceptiveState {
  int example = 0;   // index into kExamples, or -1 for `file`
  std::string file;  // the layers file shown when example == -1
  char path[512] = {};
  int in_h = 16, in_w = 16, channels = 1;
  bool stale = true;   // rebuild the stack before drawing
  bool reload = true;  // ... after loading the example or file into the editor
  std::vector<RfLayer> stack;
  std::vector<RfRow> table;
  std::string error;
  // The cell under the mouse: level (1 = the first layer's output), row, column; level 0: none.
  std::size_t hover_level = 0;
  int64_t hover_y = 0, hover_x = 0;
  // The stack as edited (ui_stack_editor.*): the last good one is what `stack` shows.
  StackEditor editor;
  ui::StackEditorPanel panel;
  uint64_t checked_gen = ~uint64_t{0};  // the editor generation rebuild() last read
  uint64_t loaded_gen = 0;              // ... right after an example or a file was loaded
  uint64_t stack_gen = 0;               // one more per good stack drawn
  std::vector<Layer> good_layers;
  int64_t good_h = 16, good_w = 16;  // the input the good stack was laid out on
  // The selected layer's feature map on the photo (stack_maps.hpp).
  StackMapView map;
  int mapping = 3;  // minmax
};

namespace ui {
namespace {

struct Example {
  const char* name;
  const char* json;
};

// Built-in stacks: the seed README's two pictures (3×3 kernels, stride 1, padding 0 twice and
// padding 1 four times) and one with a stride, pooling and dilation.
const Example kExamples[] = {
    {"Seed README: 2 conv layers (3\xC3\x97"
     "3, padding 0)",
     R"([{"kernel": "box-blur", "padding": 0}, {"kernel": "box-blur", "padding": 0}])"},
    {"Seed README: 4 conv layers (3\xC3\x97"
     "3, padding 1)",
     R"([{"kernel": "box-blur", "padding": 1}, {"kernel": "box-blur", "padding": 1},
         {"kernel": "box-blur", "padding": 1}, {"kernel": "box-blur", "padding": 1}])"},
    {"Stride 2, max pool 2, dilation 2",
     R"([{"kernel": "sobel-x", "stride": 2, "padding": 1}, {"pool": "max", "kernel": 2},
         {"kernel": "gaussian-3", "dilation": 2, "padding": 2}])"},
};
constexpr int kExampleCount = static_cast<int>(sizeof kExamples / sizeof kExamples[0]);
constexpr int kMaxSide = 64;  // the view's input: small enough that every cell shows

const char* kTimes = "\xC3\x97";

// Loads the picked example or file into the editor (one undo step).
void load_source(ReceptiveState& r) {
  const Status st = r.example < 0 ? r.editor.load_file(r.file)
                                  : r.editor.load_text(kExamples[r.example].json, "");
  if (!st) r.error = st.error().message;
  r.loaded_gen = r.editor.generation();
  r.panel.selected = r.editor.size();
}

// Checks the edited stack on the view's input: a good one replaces what is drawn; a bad one
// leaves the last good stack drawn and its sentence beside the failing layer.
void rebuild(ReceptiveState& r) {
  if (r.reload) load_source(r);
  r.reload = false;
  r.stale = false;
  r.checked_gen = r.editor.generation();
  r.hover_level = 0;
  const std::string text = r.editor.text();
  StackCheck c = check_stack(text, {1, r.channels, r.in_h, r.in_w});
  if (c.good() && stack_channels(c.layers, r.channels) != r.channels) {
    r.channels = stack_channels(c.layers, r.channels);
    c = check_stack(text, {1, r.channels, r.in_h, r.in_w});
  }
  r.panel.error = c.error;
  r.panel.error_layer = c.layer;
  r.panel.selected = std::min(r.panel.selected, r.editor.size());
  if (!c.good()) {
    if (r.stack.empty()) r.error = c.error;  // nothing good to draw yet
    return;
  }
  r.error.clear();
  r.stack = std::move(c.rf);
  r.table = rf_table(r.stack);
  r.good_layers = std::move(c.layers);
  r.good_h = r.in_h;
  r.good_w = r.in_w;
  ++r.stack_gen;
  if (r.panel.selected == 0) r.panel.selected = r.stack.size();
}

ReceptiveState& view_state(AppState& s) {
  if (!s.receptive) {
    s.receptive = std::make_shared<ReceptiveState>();
    if (!s.receptive_layers.empty()) {
      s.receptive->example = -1;
      s.receptive->file = s.receptive_layers;
    }
    std::snprintf(s.receptive->panel.save_path, sizeof s.receptive->panel.save_path, "%s",
                  s.receptive_layers.empty() ? "stack.json" : s.receptive_layers.c_str());
  }
  return *s.receptive;
}

// The stack picker, the input size and a layers file to open.
void draw_controls(AppState& s, ReceptiveState& r) {
  std::string current = r.example < 0 ? r.file : kExamples[r.example].name;
  if (r.editor.generation() != r.loaded_gen) current += " (edited)";
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
  if (ImGui::BeginCombo("Stack", current.c_str())) {
    for (int i = 0; i < kExampleCount; ++i) {
      if (ImGui::Selectable(kExamples[i].name, r.example == i)) {
        r.example = i;
        r.stale = r.reload = true;
      }
    }
    if (!r.file.empty() && ImGui::Selectable(r.file.c_str(), r.example < 0)) {
      r.example = -1;
      r.stale = r.reload = true;
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  int hw[2] = {r.in_h, r.in_w};
  if (ImGui::InputInt2("Input H, W", hw)) {
    r.in_h = std::clamp(hw[0], 1, kMaxSide);
    r.in_w = std::clamp(hw[1], 1, kMaxSide);
    r.stale = true;
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  if (ImGui::InputInt("C", &r.channels)) {
    r.channels = std::clamp(r.channels, 1, 16);
    r.stale = true;
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
  ImGui::InputTextWithHint("##layers", "a layers file, like pipeline.json", r.path, sizeof r.path);
  ImGui::SameLine();
  if (ImGui::Button("Open layers") && r.path[0] != '\0') {
    if (Status st = open_receptive_layers(s, r.path); !st) s.notify(st.error().message);
  }
}

// Where one level's grid is drawn (window pixels).
struct Grid {
  ImVec2 origin;
  float cell = 0;
  int64_t h = 0, w = 0;
  float margin = 0;  // room around the grid where a field's padding part shows
};

int64_t level_h(const ReceptiveState& r, std::size_t level) {
  return level == 0 ? r.good_h : r.stack[level - 1].h.out;
}
int64_t level_w(const ReceptiveState& r, std::size_t level) {
  return level == 0 ? r.good_w : r.stack[level - 1].w.out;
}

// One cell edge for every grid, side by side in `width` and at most `height` tall, each with a
// margin around it for the padding part of a field.
std::vector<Grid> layout_grids(const ReceptiveState& r, ImVec2 top_left, float width,
                               float height) {
  const std::size_t levels = r.stack.size() + 1;
  const float gap = ImGui::GetFontSize() * 1.5f, margin = std::floor(gap * 0.45f);
  int64_t across = 0, tallest = 1;
  for (std::size_t l = 0; l < levels; ++l) {
    across += level_w(r, l);
    tallest = std::max(tallest, level_h(r, l));
  }
  const float cell =
      std::floor(std::clamp(std::min((width - gap * static_cast<float>(levels - 1) - 2 * margin) /
                                         static_cast<float>(across),
                                     (height - 2 * margin) / static_cast<float>(tallest)),
                            2.0f, 28.0f));
  std::vector<Grid> grids;
  float x = top_left.x + margin;
  for (std::size_t l = 0; l < levels; ++l) {
    grids.push_back({{std::floor(x), std::floor(top_left.y + margin)},
                     cell,
                     level_h(r, l),
                     level_w(r, l),
                     margin});
    x += cell * static_cast<float>(level_w(r, l)) + gap;
  }
  return grids;
}

ImVec2 cell_min(const Grid& g, int64_t y, int64_t x) {
  return {g.origin.x + g.cell * static_cast<float>(x), g.origin.y + g.cell * static_cast<float>(y)};
}

void draw_lines(ImDrawList* dl, const Grid& g, const Palette& pal) {
  const ImVec2 end = cell_min(g, g.h, g.w);
  if (g.cell >= 5) {
    for (int64_t y = 1; y < g.h; ++y)
      dl->AddLine(cell_min(g, y, 0), cell_min(g, y, g.w), pal.grid);
    for (int64_t x = 1; x < g.w; ++x)
      dl->AddLine(cell_min(g, 0, x), cell_min(g, g.h, x), pal.grid);
  }
  dl->AddRect(g.origin, end, pal.input_border, 0, 0, pal.line);
}

// The grid and its margin: a field's padding part is drawn up to here.
void push_margin_clip(ImDrawList* dl, const Grid& g) {
  const ImVec2 end = cell_min(g, g.h, g.w);
  dl->PushClipRect({g.origin.x - g.margin, g.origin.y - g.margin},
                   {end.x + g.margin, end.y + g.margin}, true);
}

bool has_box(const Span& y, const Span& x) {
  return !y.empty() && !x.empty();
}

// Level l's grid with the hovered cell's box (when `b`): the field's padding part shaded in the
// margin, the cells it depends on filled, the whole field outlined (cut at the margin).
void draw_level(ImDrawList* dl, const Grid& g, const RfBox* b, const Palette& pal) {
  const ImVec2 end = cell_min(g, g.h, g.w);
  push_margin_clip(dl, g);
  const bool field = b && has_box(b->y.field, b->x.field);
  if (field) {
    dl->AddRectFilled(cell_min(g, b->y.field.lo, b->x.field.lo),
                      cell_min(g, b->y.field.hi + 1, b->x.field.hi + 1), pal.pad_fill);
  }
  dl->AddRectFilled(g.origin, end, pal.empty_fill);
  if (b && has_box(b->y.depends, b->x.depends)) {
    const ImU32 fill = (pal.hover & ~IM_COL32_A_MASK) | (0xA0u << IM_COL32_A_SHIFT);
    dl->AddRectFilled(cell_min(g, b->y.depends.lo, b->x.depends.lo),
                      cell_min(g, b->y.depends.hi + 1, b->x.depends.hi + 1), fill);
  }
  draw_lines(dl, g, pal);
  if (field) {
    dl->AddRect(cell_min(g, b->y.field.lo, b->x.field.lo),
                cell_min(g, b->y.field.hi + 1, b->x.field.hi + 1), pal.frame, 0, 0, 3 * pal.line);
  }
  dl->PopClipRect();
}

// The hovered cell from the mouse, over any layer's grid (the input has no field to show).
void find_hover(ReceptiveState& r, const std::vector<Grid>& grids) {
  r.hover_level = 0;
  if (!ImGui::IsWindowHovered()) return;
  const ImVec2 m = ImGui::GetIO().MousePos;
  for (std::size_t l = 1; l < grids.size(); ++l) {
    const Grid& g = grids[l];
    const float fx = (m.x - g.origin.x) / g.cell, fy = (m.y - g.origin.y) / g.cell;
    if (fx < 0 || fy < 0 || fx >= static_cast<float>(g.w) || fy >= static_cast<float>(g.h)) {
      continue;
    }
    r.hover_level = l;
    r.hover_y = static_cast<int64_t>(fy);
    r.hover_x = static_cast<int64_t>(fx);
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) r.panel.selected = l;
  }
}

// "rows: −2 + 3·1 = 1 to 1 + 5 − 1 = 5 (2 in the padding above, 0 below)"
std::string axis_sentence(const RfAxisRow& a, const RfAxisBox& b, int64_t cell, bool exact,
                          const char* what, const char* letter, const char* before,
                          const char* after) {
  const char* dot = "\xC2\xB7";
  std::string t = std::string(what) + ": ";
  if (b.field.empty()) return t + "no input " + what + " reaches it";
  if (exact && a.jump.den == 1) {
    t += "start + " + std::string(letter) + dot + "jump = " + signed_text(a.field0.lo) + " + " +
         signed_text(cell) + dot + signed_text(a.jump.num) + " = " + signed_text(b.field.lo) +
         " to " + signed_text(b.field.lo) + " + " + signed_text(b.field.size()) +
         " \xE2\x88\x92 1 = " + signed_text(b.field.hi);
  } else {
    t += signed_text(b.field.lo) + " to " + signed_text(b.field.hi);
  }
  t += " (" + std::to_string(b.pad_before) + " in the padding " + before + ", " +
       std::to_string(b.pad_after) + " " + after + ")";
  return t;
}

// "4", "1/2"
std::string ratio_text(const Ratio& q) {
  std::string t = signed_text(q.num);
  if (q.den > 1) {
    t += "/";
    t += signed_text(q.den);
  }
  return t;
}

std::string start_text(const RfAxisRow& a) {
  return a.field0.empty() ? std::string("none") : signed_text(a.field0.lo);
}

std::string hover_sentence(const ReceptiveState& r, const RfBox& in) {
  const RfRow& row = r.table[r.hover_level - 1];
  std::string t = row.name;
  t += ", cell (" + std::to_string(r.hover_y) + ", " + std::to_string(r.hover_x) + ")";
  t += ": receptive field " + std::to_string(in.y.field.size()) + kTimes +
       std::to_string(in.x.field.size());
  t += ", jump " + ratio_text(row.h.jump) + kTimes + ratio_text(row.w.jump);
  t += ", start (" + start_text(row.h) + ", " + start_text(row.w) + ").\n";
  t += axis_sentence(row.h, in.y, r.hover_y, row.exact_recurrence, "rows", "y", "above", "below");
  t += ";\n";
  t += axis_sentence(row.w, in.x, r.hover_x, row.exact_recurrence, "columns", "x", "left", "right");
  t += ".\n";
  if (in.y.depends.empty() || in.x.depends.empty()) return t + "It depends on no input cell.";
  t += "It depends on input rows " + signed_text(in.y.depends.lo) + " to " +
       signed_text(in.y.depends.hi);
  t += " and columns " + signed_text(in.x.depends.lo) + " to " + signed_text(in.x.depends.hi);
  t += " (filled; the outline is the whole field, padding included).";
  return t;
}

// The editor's and the feature map's part of the status.
void report_editor(nlohmann::json& j, const ReceptiveState& r) {
  j["stack"] = r.editor.text();
  j["edit_error"] = r.panel.error;
  j["edit_error_layer"] = r.panel.error_layer;
  j["selected"] = r.panel.selected;
  j["undo"] = {r.editor.can_undo(), r.editor.can_redo()};
  const StackMapView& m = r.map;
  j["map"] = {{"layer", m.shown.count},  {"w", m.width},
              {"h", m.height},           {"current", m.current()},
              {"error", m.error},        {"photo_error", m.photo_error},
              {"finished", m.finished},  {"stack_gen", m.shown.stack_gen},
              {"asked_gen", r.stack_gen}};
  nlohmann::json rects = nlohmann::json::object();
  for (const auto& [name, v] : r.panel.rects)
    rects[name] = {v.x, v.y, v.z, v.w};
  j["rects"] = rects;
}

void report(AppState& s, const ReceptiveState& r, const std::vector<Grid>& grids,
            const std::vector<RfBox>& boxes, const std::string& sentence) {
  nlohmann::json j;
  j["error"] = r.error;
  j["layers"] = r.stack.size();
  j["grids"] = nlohmann::json::array();
  for (const Grid& g : grids)
    j["grids"].push_back({g.origin.x, g.origin.y, g.cell, g.h, g.w});
  j["hover"] = r.hover_level == 0 ? nlohmann::json::array()
                                  : nlohmann::json::array({r.hover_level, r.hover_y, r.hover_x});
  if (!boxes.empty()) {
    const RfBox& b = boxes.front();
    j["field"] = {b.y.field.lo, b.y.field.hi, b.x.field.lo, b.x.field.hi};
    j["depends"] = {b.y.depends.lo, b.y.depends.hi, b.x.depends.lo, b.x.depends.hi};
    j["padding"] = {b.y.pad_before, b.y.pad_after, b.x.pad_before, b.x.pad_after};
    const RfRow& row = r.table[r.hover_level - 1];
    j["size"] = {row.h.size_max, row.w.size_max};
    j["jump"] = {row.h.jump.num, row.w.jump.num};
    j["start"] = {row.h.field0.lo, row.w.field0.lo};
  }
  j["sentence"] = sentence;
  report_editor(j, r);
  std::string text = j.dump();
  if (text != s.receptive_status) {
    s.receptive_status = std::move(text);
    s.mark_dirty(Dirty::status);
  }
}

// Under the grids: the selected layer's feature map on the photo, the hover sentence beside it.
void draw_map_and_sentence(AppState& s, ReceptiveState& r, const std::string& sentence) {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const std::size_t n = std::clamp<std::size_t>(r.panel.selected, 1, r.stack.size());
  update_stack_map(r.map, s.preview_path, r.good_layers, r.stack_gen, n,
                   static_cast<gpu::DisplayMapping>(r.mapping));
  const float map_w = std::floor(avail.x * 0.5f);
  draw_stack_map(r.map, r.stack[n - 1].name, r.mapping, {map_w, avail.y}, r.panel);
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(sentence.c_str());
  ImGui::PopTextWrapPos();
  ImGui::EndGroup();
}

void draw_stack(AppState& s, ReceptiveState& r) {
  const Palette& pal = palette();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 top = ImGui::GetCursorScreenPos();
  // Two caption lines above the grids; the lower part of the view for the map and the sentence.
  const std::vector<Grid> grids = layout_grids(r, {top.x, top.y + 2 * line}, avail.x,
                                               std::max(40.0f, avail.y * 0.45f - 2 * line));
  find_hover(r, grids);
  std::vector<RfBox> boxes;
  std::string sentence =
      "Point at a cell of any layer: its receptive field is outlined in every earlier layer and "
      "in the input (filled: the cells it depends on; outline: the whole field, its padding part "
      "shaded beside the grid).";
  if (r.hover_level > 0) {
    boxes = rf_boxes(r.stack, r.hover_level, r.hover_y, r.hover_x);
    sentence = hover_sentence(r, boxes.front());
  }
  for (std::size_t l = 0; l < grids.size(); ++l) {
    const Grid& g = grids[l];
    const std::string title = l == 0 ? "input" : "layer " + std::to_string(l);
    const std::string size = std::to_string(g.h) + kTimes + std::to_string(g.w);
    dl->AddText({g.origin.x, top.y}, l == r.panel.selected ? pal.tap : pal.text, title.c_str());
    dl->AddText({g.origin.x, top.y + line}, pal.text_dim, size.c_str());
    draw_level(dl, g, l < boxes.size() ? &boxes[l] : nullptr, pal);
  }
  if (r.hover_level > 0) {
    const Grid& g = grids[r.hover_level];
    dl->AddRectFilled(cell_min(g, r.hover_y, r.hover_x), cell_min(g, r.hover_y + 1, r.hover_x + 1),
                      pal.tap);
  }
  float grids_bottom = top.y + 2 * line;
  for (const Grid& g : grids)
    grids_bottom = std::max(grids_bottom, g.origin.y + g.cell * static_cast<float>(g.h) + g.margin);
  ImGui::SetCursorScreenPos({top.x, grids_bottom + line * 0.5f});
  draw_map_and_sentence(s, r, sentence);
  report(s, r, grids, boxes, sentence);
}

}  // namespace

Status open_receptive_layers(AppState& s, const std::string& path) {
  Result<std::vector<Layer>> layers = load_layers(path);
  if (!layers) return layers.error();
  ReceptiveState& r = view_state(s);
  const int channels = stack_channels(*layers, r.channels);
  Result<std::vector<RfLayer>> stack = rf_layers(*layers, {1, channels, r.in_h, r.in_w}, path);
  if (!stack) return stack.error();
  r.file = path;
  r.channels = channels;
  r.example = -1;
  r.stale = r.reload = true;
  s.receptive_layers = path;
  s.show_receptive = true;
  return ok();
}

void shutdown_receptive(AppState& s) {
  if (s.receptive) s.receptive->map.release();
}

void draw_receptive(AppState& s) {
  ReceptiveState& r = view_state(s);
  if (r.stale) rebuild(r);
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos({d.x * 0.03f, d.y * 0.06f}, ImGuiCond_Appearing);
  ImGui::SetNextWindowSize({d.x * 0.94f, d.y * 0.84f}, ImGuiCond_Appearing);
  if (!ImGui::Begin("Receptive field", &s.show_receptive, ImGuiWindowFlags_NoCollapse)) {
    ImGui::End();
    return;
  }
  draw_controls(s, r);
  if (r.stale || r.editor.generation() != r.checked_gen) rebuild(r);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float editor_w = std::floor(std::min(avail.x * 0.4f, ImGui::GetFontSize() * 28));
  if (draw_stack_editor(s, r.editor, r.panel, r.table, {1, r.channels, r.in_h, r.in_w},
                        {editor_w, avail.y})) {
    rebuild(r);
  }
  ImGui::SameLine();
  ImGui::BeginChild("stack view", {0, avail.y}, false);
  if (r.stack.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette().error_v4);
    ImGui::TextWrapped("%s", r.error.c_str());
    ImGui::PopStyleColor();
    report(s, r, {}, {}, r.error);
  } else {
    draw_stack(s, r);
  }
  ImGui::EndChild();
  report_fit(s, "Receptive field");
  ImGui::End();
}

}  // namespace ui
}  // namespace cs
