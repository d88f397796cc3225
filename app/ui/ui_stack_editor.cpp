// The stack editor and feature-map pane (see ui_stack_editor.hpp).
#include "app/ui/ui_stack_editor.hpp"

#include <algorithm>
#include <string>

#include "app/ui/ui_theme.hpp"
#include "core/presets.hpp"

namespace cs::ui {

namespace {

const char* kTimes = "\xC3\x97";

void note_rect(StackEditorPanel& p, const std::string& name) {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  p.rects[name] = {a.x, a.y, b.x - a.x, b.y - a.y};
}

// Rows and columns of one setting; true when edited.
bool pair_field(StackEditor& ed, std::size_t i, const char* key, const char* label, int fallback) {
  const auto [h, w] = ed.pair(i, key, fallback);
  int v[2] = {h, w};
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6.5f);
  if (!ImGui::InputInt2(label, v)) return false;
  ed.set_pair(i, key, v[0], v[1]);
  return true;
}

// SameLine when an item `width` wide still fits on the line after the last item; else the next
// line (the panel is narrow: the add buttons and a transposed layer's summary wrap).
void same_line_if_fits(float width) {
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width <= right)
    ImGui::SameLine();
}

constexpr StackLayerKind kKinds[] = {StackLayerKind::conv, StackLayerKind::max_pool,
                                     StackLayerKind::avg_pool, StackLayerKind::relu,
                                     StackLayerKind::conv_transpose};

bool kind_combo(StackEditor& ed, std::size_t i) {
  const StackLayerKind kind = ed.kind(i);
  bool changed = false;
  ImGui::SetNextItemWidth(ImGui::CalcTextSize("transposed conv").x + ImGui::GetFrameHeight() +
                          ImGui::GetStyle().FramePadding.x * 2);
  if (ImGui::BeginCombo("##kind", stack_kind_name(kind))) {
    for (StackLayerKind k : kKinds) {
      if (ImGui::Selectable(stack_kind_name(k), k == kind)) {
        ed.set_kind(i, k);
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  return changed;
}

// A convolution's kernel: the presets; a kernel from a file or written as numbers stays as it is
// until a preset is picked.
bool kernel_combo(StackEditor& ed, std::size_t i) {
  const std::string name = ed.kernel_name(i);
  const std::string shown = name.empty() ? "numbers in the file" : name;
  bool changed = false;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9.5f);
  if (ImGui::BeginCombo("kernel", shown.c_str())) {
    for (const KernelPreset& k : kernel_presets()) {
      const std::string item =
          k.name + "  " + std::to_string(k.k_h) + kTimes + std::to_string(k.k_w);
      if (ImGui::Selectable(item.c_str(), k.name == name)) {
        ed.set_kernel(i, k.name);
        changed = true;
      }
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", k.description.c_str());
    }
    ImGui::EndCombo();
  }
  return changed;
}

bool padding_field(StackEditor& ed, std::size_t i) {
  char buf[64] = {};
  const std::string text = ed.padding_text(i);
  text.copy(buf, sizeof buf - 1);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6.5f);
  if (!ImGui::InputText("padding", buf, sizeof buf)) return false;
  ed.set_padding_text(i, buf);
  return true;
}

// "out 14×14 · field 5×5"
std::string row_summary(const RfRow& row) {
  const char* dot = " \xC2\xB7 ";
  std::string t = "out " + std::to_string(row.h.out) + kTimes + std::to_string(row.w.out);
  t += dot + std::string("field ") + std::to_string(row.h.size_max) + kTimes +
       std::to_string(row.w.size_max);
  return t;
}

void error_text(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, palette().error_v4);
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

// The header line: its number and kind (click: show its feature map), move and remove.
bool layer_header(StackEditor& ed, StackEditorPanel& p, std::size_t i) {
  const std::string n = std::to_string(i + 1);
  const std::string label = "layer " + n + "  " + stack_kind_name(ed.kind(i));
  const float buttons = ImGui::GetFrameHeight() * 2 + ImGui::CalcTextSize("Remove").x +
                        ImGui::GetStyle().FramePadding.x * 2 + ImGui::GetStyle().ItemSpacing.x * 3;
  ImGui::PushStyleColor(ImGuiCol_Text, palette().accent_v4);
  if (ImGui::Selectable(label.c_str(), p.selected == i + 1, 0,
                        {ImGui::GetContentRegionAvail().x - buttons, 0})) {
    p.selected = i + 1;
  }
  ImGui::PopStyleColor();
  note_rect(p, "layer " + n);
  bool changed = false;
  ImGui::SameLine();
  if (ImGui::ArrowButton("##up", ImGuiDir_Up)) ed.move(i, -1), changed = true;
  note_rect(p, "up " + n);
  ImGui::SameLine();
  if (ImGui::ArrowButton("##down", ImGuiDir_Down)) ed.move(i, +1), changed = true;
  note_rect(p, "down " + n);
  ImGui::SameLine();
  if (ImGui::SmallButton("Remove")) ed.remove(i), changed = true;
  note_rect(p, "remove " + n);
  return changed;
}

// The kind and the settings that kind takes; true when edited.
bool layer_settings(StackEditor& ed, StackEditorPanel& p, std::size_t i) {
  const StackLayerKind kind = ed.kind(i);
  const bool pool = kind == StackLayerKind::max_pool || kind == StackLayerKind::avg_pool;
  const bool transpose = kind == StackLayerKind::conv_transpose;
  bool changed = kind_combo(ed, i);
  if (changed || kind == StackLayerKind::relu) return changed;
  ImGui::SameLine();
  changed = pool ? pair_field(ed, i, "kernel", "kernel", 1) : kernel_combo(ed, i);
  if (!changed) changed = pair_field(ed, i, "stride", "stride", 1);
  note_rect(p, "stride " + std::to_string(i + 1));
  ImGui::SameLine();
  if (!changed) {
    changed = pool || transpose ? pair_field(ed, i, "padding", "padding", 0) : padding_field(ed, i);
  }
  if (!changed && transpose) {
    changed = pair_field(ed, i, "output_padding", "output padding", 0);
    note_rect(p, "output padding " + std::to_string(i + 1));
    ImGui::SameLine();
  }
  if (!changed) changed = pair_field(ed, i, "dilation", "dilation", 1);
  return changed;
}

// One layer's rows; true when the stack changed (the rest of the list is then drawn next frame).
bool layer_rows(StackEditor& ed, StackEditorPanel& p, std::size_t i,
                const std::vector<RfRow>& table) {
  ImGui::PushID(static_cast<int>(i));
  bool changed = layer_header(ed, p, i);
  if (!changed) changed = layer_settings(ed, p, i);
  if (!changed && p.error.empty() && i < table.size()) {
    const std::string summary = row_summary(table[i]);
    same_line_if_fits(ImGui::CalcTextSize(summary.c_str()).x);
    ImGui::TextDisabled("%s", summary.c_str());
  }
  if (!changed && p.error_layer == static_cast<int>(i)) error_text(p.error);
  ImGui::Separator();
  ImGui::PopID();
  return changed;
}

// Add (after the selected layer), undo, redo.
bool stack_buttons(StackEditor& ed, StackEditorPanel& p) {
  bool changed = false;
  const std::size_t at = p.selected == 0 ? ed.size() : std::min(p.selected, ed.size());
  ImGui::TextUnformatted("Add a layer:");
  for (StackLayerKind k : kKinds) {
    same_line_if_fits(ImGui::CalcTextSize(stack_kind_name(k)).x +
                      ImGui::GetStyle().FramePadding.x * 2);
    if (ImGui::Button(stack_kind_name(k))) {
      ed.insert(at, k);
      p.selected = at + 1;
      changed = true;
    }
    note_rect(p, std::string("add ") + stack_kind_name(k));
  }
  ImGui::BeginDisabled(!ed.can_undo());
  if (ImGui::Button("Undo")) changed = ed.undo();
  ImGui::EndDisabled();
  note_rect(p, "undo");
  ImGui::SameLine();
  ImGui::BeginDisabled(!ed.can_redo());
  if (ImGui::Button("Redo")) changed = ed.redo();
  ImGui::EndDisabled();
  note_rect(p, "redo");
  ImGui::SameLine();
  return changed;
}

void save_row(AppState& s, const StackEditor& ed, StackEditorPanel& p, const Shape& input) {
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize("Save").x -
                          ImGui::GetStyle().FramePadding.x * 2 - ImGui::GetStyle().ItemSpacing.x);
  ImGui::InputTextWithHint("##save", "save as, like stack.json", p.save_path, sizeof p.save_path);
  ImGui::SameLine();
  ImGui::BeginDisabled(p.save_path[0] == '\0');
  if (ImGui::Button("Save")) {
    const Status st = ed.save(p.save_path, input);
    s.notify(st ? "Saved the stack as " + std::string(p.save_path) +
                      " (convscope render --layers reads it)."
                : st.error().message);
  }
  ImGui::EndDisabled();
  note_rect(p, "save");
}

}  // namespace

bool draw_stack_editor(AppState& s, StackEditor& ed, StackEditorPanel& p,
                       const std::vector<RfRow>& table, const Shape& input, ImVec2 size) {
  p.rects.clear();
  ImGui::BeginChild("stack editor", size, false);
  bool changed = stack_buttons(ed, p);
  save_row(s, ed, p, input);
  if (!changed && !p.error.empty() && p.error_layer < 0) error_text(p.error);
  ImGui::Separator();
  ImGui::TextDisabled("Click a layer: its feature map on the photo.");
  ImGui::BeginChild("layers", {0, 0}, false);
  for (std::size_t i = 0; i < ed.size() && !changed; ++i)
    changed = layer_rows(ed, p, i, table);
  ImGui::EndChild();
  ImGui::EndChild();
  return changed;
}

void draw_stack_map(const StackMapView& v, const std::string& layer_name, int& mapping, ImVec2 size,
                    StackEditorPanel& p) {
  ImGui::BeginGroup();
  const char* names[] = {"clip", "abs", "signed", "minmax"};
  ImGui::TextUnformatted((layer_name + " on the photo").c_str());
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  ImGui::Combo("display", &mapping, names, 4);
  std::string caption;
  if (!v.photo_error.empty()) {
    caption = v.photo_error;
  } else if (!v.error.empty() && v.shown.same_work(v.asked)) {
    caption = v.error;
  } else if (v.tex != 0) {
    caption = std::to_string(v.width) + kTimes + std::to_string(v.height) + " pixels, " +
              std::to_string(static_cast<int>(v.ms + 0.5)) + " ms" +
              (v.current() ? "" : " (computing the new one...)");
  } else {
    caption = "computing...";
  }
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const float room_h = std::max(
      size.y - ImGui::GetFrameHeightWithSpacing() - line - ImGui::GetStyle().WindowPadding.y, 8.0f);
  if (v.tex != 0) {
    const float k =
        std::min(size.x / static_cast<float>(v.width), room_h / static_cast<float>(v.height));
    ImGui::Image(reinterpret_cast<ImTextureID>(v.tex),
                 {static_cast<float>(v.width) * k, static_cast<float>(v.height) * k});
    note_rect(p, "map");
  }
  if (!v.photo_error.empty() || (!v.error.empty() && v.shown.same_work(v.asked))) {
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + size.x);
    error_text(caption);
    ImGui::PopTextWrapPos();
  } else {
    ImGui::TextDisabled("%s", caption.c_str());
  }
  ImGui::EndGroup();
}

}  // namespace cs::ui
