// Receptive fields through a stack of layers (conv, pooling, transposed conv, ReLU): per layer
// the output size, the field's size, the jump and the start, and for one cell the exact box of
// input rows and columns its value depends on. Rows and columns are independent (every layer
// reads a product of a row set and a column set), so everything here works one axis at a time.
// Depends on core only (no GL, no ImGui).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "conv_transpose.hpp"
#include "geometry.hpp"
#include "layers.hpp"
#include "result.hpp"

namespace cs {

enum class RfKind { conv, pool, conv_transpose, relu };
const char* rf_kind_name(RfKind kind);  // "conv", "pool", "conv-transpose", "relu"
// A whole number with the minus sign the formulas use: "−9", "4".
std::string signed_text(int64_t v);

// One axis (rows or columns) of one layer.
//   conv, pool:      output o reads padded input rows o·stride − pad_before + k·dilation.
//   conv_transpose:  input row i adds to output rows i·stride − pad_before + k·dilation;
//                    pad_after is the output_padding (extra rows at the bottom/right).
//   relu:            output o reads input row o.
struct RfAxis {
  int64_t in = 0, out = 0;
  int64_t k = 1, stride = 1, dilation = 1;
  int64_t pad_before = 0, pad_after = 0;
  PaddingMode mode = PaddingMode::zeros;  // conv only: reflect/replicate/circular read real rows
};

struct RfLayer {
  RfKind kind = RfKind::relu;
  std::string name;      // "layer 2 (sobel-x)"
  int64_t channels = 0;  // output channels
  RfAxis h, w;
};

RfLayer rf_layer(const ConvGeometry& g, std::string name);
RfLayer rf_layer(const PoolGeometry& g, std::string name);  // max pads with −∞, avg with 0
RfLayer rf_layer(const ConvTransposeGeometry& g, std::string name);
RfLayer rf_relu(int64_t channels, int64_t h, int64_t w, std::string name);

// Feature maps bigger than this (rows or columns) are refused: the exact sets are one byte a row.
constexpr int64_t kRfMaxSide = int64_t{1} << 24;

// The stack a layers file describes (core/layers.hpp), on an input [N, C, H, W]: each layer's
// geometry through the engine's own validation; a refusal names the file (when given) and the
// layer ("l.json layer 2 (sobel-x): kernel 9×9 spans 9 rows, ...").
Result<std::vector<RfLayer>> rf_layers(const std::vector<Layer>& layers, const Shape& input_nchw,
                                       const std::string& file = "");

// Rows (or columns) [lo, hi]; empty when lo > hi.
struct Span {
  int64_t lo = 0, hi = -1;
  bool empty() const { return lo > hi; }
  int64_t size() const { return empty() ? 0 : hi - lo + 1; }
  bool operator==(const Span&) const = default;
};

// num / den in lowest terms (den > 0).
struct Ratio {
  int64_t num = 1, den = 1;
  bool operator==(const Ratio&) const = default;
};

// One axis of one row of the table. The field of a cell is the rows of the stack's input its
// windows span as if every layer's input went on for ever (padding rows counted; a transposed
// layer's cell may gather from nothing, an empty field).
struct RfAxisRow {
  int64_t out = 0;                     // the layer's output rows
  int64_t size_min = 0, size_max = 0;  // field sizes over the layer's cells (equal without a
                                       // transposed layer)
  Ratio jump;                          // input rows from one cell's field to the next one's
  Span field0;                         // the field of cell 0: its lo is the start
};

struct RfRow {
  std::string name;
  RfKind kind = RfKind::relu;
  int64_t channels = 0;
  RfAxisRow h, w;
  bool exact_recurrence = true;  // no transposed layer up to here: size, jump and start follow
                                 // the textbook recurrence (rf_recurrence_text)
};

// One row per layer (row i is layer i + 1's output).
std::vector<RfRow> rf_table(const std::vector<RfLayer>& stack);

// The textbook recurrence for layer `index` (from 0) on one axis with the user's numbers:
//   "size = 3 + (3 − 1)·1·2 = 7; jump = 2·2 = 4; start = −1 − 1·2 = −3"
// Only for rows with exact_recurrence; `rows` picks the axis.
std::string rf_recurrence_text(const std::vector<RfLayer>& stack, std::size_t index, bool rows);

// One axis of a cell's box at one level of the stack.
struct RfAxisBox {
  Span field;    // as in RfAxisRow: may reach into the padding (lo < 0 or hi >= the level's size)
  Span depends;  // the rows whose value changes the cell: exact, inside the level (may be empty)
  int64_t pad_before = 0, pad_after = 0;  // rows of `field` before row 0 / after the last row
};
struct RfBox {
  RfAxisBox y, x;
};

// Cell (y, x) of the output of layer `layer` (1 = the first layer's output; y and x inside it):
// its box at every earlier level, boxes[0] the stack's input, boxes[l] layer l's output, for
// l < layer.
std::vector<RfBox> rf_boxes(const std::vector<RfLayer>& stack, std::size_t layer, int64_t y,
                            int64_t x);
// The box in the stack's input of cell (y, x) of the last layer.
RfBox rf_box(const std::vector<RfLayer>& stack, int64_t y, int64_t x);

}  // namespace cs
