// The Receptive field view's layer stack as the window edits it: a layers file (the
// `convscope render --layers` format, docs/gpu.md) held as its JSON list, with add, remove, move
// and per-layer settings, its own undo and redo, and saving through the atomic writer. Every
// edit is checked by the one reader (core/layers.hpp) and the receptive-field geometry
// (core/receptive_field.hpp): check_stack() gives the layers or the first failing layer's
// sentence, so the view can keep drawing the last good stack. No ImGui, GLFW or GL here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/layers.hpp"
#include "core/receptive_field.hpp"
#include "core/result.hpp"

namespace cs {

enum class StackLayerKind { conv, max_pool, avg_pool, relu, conv_transpose };
// "conv", "max pool", "avg pool", "ReLU", "transposed conv"
const char* stack_kind_name(StackLayerKind kind);

// A stack's text read back and laid out on an input [1, C, H, W]: the layers and their geometry,
// or the sentence of the first layer that fails (the reader's or the geometry's) and its index.
struct StackCheck {
  std::vector<Layer> layers;
  std::vector<RfLayer> rf;
  std::string error;  // "" when the stack is good
  int layer = -1;     // the failing layer (from 0); -1: the list as a whole
  bool good() const { return error.empty(); }
};
StackCheck check_stack(const std::string& text, const Shape& input);

// The input channels a stack takes: its first convolution's C_in when that kernel is 4-D (at
// most 16); otherwise (a 2-D kernel is applied to each channel, pooling keeps them) `current`.
int stack_channels(const std::vector<Layer>& layers, int current);

class StackEditor {
 public:
  using Json = nlohmann::ordered_json;

  // Replaces the stack (one undo step) with a layers file's text; a kernel's or bias's relative
  // .npy path is made relative to the folder of `path` (so a saved copy still finds it). An
  // error, and no change, when the text is not a JSON list of objects.
  Status load_text(const std::string& text, const std::string& path);
  Status load_file(const std::string& path);
  // The layers file: a JSON list, one layer per line.
  std::string text() const;
  // Writes text() through the atomic writer when check_stack() finds it good on `input`;
  // otherwise nothing is written and the error names the layer to fix.
  Status save(const std::string& path, const Shape& input) const;

  std::size_t size() const { return m_layers.size(); }
  const Json& layer(std::size_t i) const { return m_layers.at(i); }
  StackLayerKind kind(std::size_t i) const;
  // A whole-number setting ("stride", "dilation", a pool's "kernel" and "padding", a
  // transposed convolution's "padding" and "output_padding") as rows
  // and columns (one number means both); `fallback` when absent or not numbers.
  std::pair<int, int> pair(std::size_t i, const char* key, int fallback) const;
  // A convolution's kernel: the preset's name or the .npy path; "" for a list of numbers.
  std::string kernel_name(std::size_t i) const;
  // A convolution's padding as text: "same" (the reader's default), "valid", "1", "1,2".
  std::string padding_text(std::size_t i) const;

  // Edits; each is one undo step (settings typed into one field of one layer merge into one).
  void insert(std::size_t at, StackLayerKind kind);  // a new layer before `at` (size(): last)
  void remove(std::size_t i);
  void move(std::size_t i, int by);  // -1 up, +1 down; nothing past either end
  // Keeps stride and dilation (not into or out of ReLU, which has neither).
  void set_kind(std::size_t i, StackLayerKind kind);
  void set_kernel(std::size_t i, const std::string& preset);
  // Writes one number when h == w, else [h, w]; any value (the reader judges it).
  void set_pair(std::size_t i, const char* key, int h, int w);
  // A convolution's padding: numbers written as numbers ("1,2" => [1, 2]), any other text as
  // text (the reader judges it).
  void set_padding_text(std::size_t i, const std::string& text);

  bool undo();
  bool redo();
  bool can_undo() const { return !m_undo.empty(); }
  bool can_redo() const { return !m_redo.empty(); }
  // One more after every change (edits, undo, redo, load).
  uint64_t generation() const { return m_gen; }

 private:
  // Records the stack before an edit; an edit with the same nonempty `tag` as the previous one
  // (typing into one field) joins its step.
  void begin(const std::string& tag);
  Json& at(std::size_t i) { return m_layers.at(i); }

  Json m_layers = Json::array();
  std::vector<Json> m_undo, m_redo;
  std::string m_last_tag;
  uint64_t m_gen = 0;
};

}  // namespace cs
