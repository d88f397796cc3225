// What one layer costs: its parameter count (weights + bias) and the arithmetic it does on one
// input (multiply-adds for conv, conv-transpose and conv1d; compares or adds for pooling), and
// for a conv with groups 1 what its depthwise-separable equivalent (a depthwise k×k with
// groups = C_in, then a pointwise 1×1) would cost. Pure arithmetic on the geometry, for
// `convscope shape` and the window's parameters panel. Depends on geometry.hpp and
// conv_transpose.hpp only (no I/O, no engine calls).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "conv_transpose.hpp"
#include "geometry.hpp"

namespace cs {

// Counts, exact in int64 for any shape the engine accepts.
// NOTE: conventions (those of the MobileNet paper and the usual FLOP counters): a multiply-add
// is one product added to a sum; taps that read padding count (the hardware computes them);
// adding the bias is not a multiply-add. A transposed conv counts every product of every
// input cell's stamp, also those `padding` crops away (the scatter computes them).
struct LayerCost {
  int64_t weights = 0;    // weight values
  int64_t biases = 0;     // bias values (C_out, or 0 without a bias)
  int64_t outputs = 0;    // output values
  int64_t work_each = 0;  // per output value (conv: C_in/groups·KH·KW; pooling: KH·KW)
  int64_t work = 0;       // the total: multiply-adds (conv) or compares/adds (pooling)
  const char* work_unit = "multiply-adds";  // or "compares" (max pooling), "adds" (avg)
  int64_t parameters() const { return weights + biases; }
};

// conv2d (and conv1d: its plan's geometry is a conv2d of height 1):
//   weights = C_out·(C_in/groups)·KH·KW, biases = C_out (with a bias)
//   work    = N·C_out·out_h·out_w · (C_in/groups)·KH·KW
LayerCost conv2d_layer_cost(const ConvGeometry& g);
// conv-transpose: weights = C_in·(C_out/groups)·KH·KW, biases = C_out;
//   work = N·C_in·in_h·in_w · (C_out/groups)·KH·KW (each input cell stamps its kernels).
//   outputs and work_each describe the stamps: outputs = N·C_in·in_h·in_w input cells.
LayerCost conv_transpose2d_layer_cost(const ConvTransposeGeometry& g);
// pooling: no parameters; each output reads KH·KW cells, one compare (max) or add (avg) each.
LayerCost pool2d_layer_cost(const PoolGeometry& g);

// The depthwise-separable equivalent of a conv with groups 1 and the same stride, padding and
// dilation (so the same output size): depthwise KH×KW with groups = C_in (C_in filters of one
// channel each, C_in biases when the conv has a bias) then pointwise 1×1 from C_in to C_out.
// For the multiply-adds the ratio is exactly 1/C_out + 1/(KH·KW).
struct SeparableCost {
  LayerCost depthwise, pointwise;
  int64_t parameters() const { return depthwise.parameters() + pointwise.parameters(); }
  int64_t work() const { return depthwise.work + pointwise.work; }
};
SeparableCost separable_cost(const ConvGeometry& g);

// "1234567" => "1,234,567".
std::string group_digits(int64_t value);

// The cost as lines of text with the user's numbers, for `convscope shape`:
//   parameters: 9,472 = weights 64·3·7·7 = 9,408 + bias 64
//   multiply-adds: 118,013,952 = 1·64·112·112 outputs × 3·7·7 = 147 each
// With `separable` (a conv with groups 1), three more lines: the depthwise, the pointwise and
// the total with its ratio to the layer's.
std::vector<std::string> conv2d_cost_lines(const ConvGeometry& g, bool separable);
std::vector<std::string> conv_transpose2d_cost_lines(const ConvTransposeGeometry& g);
std::vector<std::string> pool2d_cost_lines(const PoolGeometry& g);

// One short line for the window: "9,472 parameters, 118.0 M multiply-adds".
std::string cost_summary(const LayerCost& c);
// "depthwise-separable: 406 parameters (0.0429×), 4.3 M multiply-adds (0.036×)"
std::string separable_summary(const LayerCost& layer, const SeparableCost& sep);

// The divisors of both a and b (the groups a conv with C_in = a and C_out = b accepts), in
// increasing order; {1} when either is below 1.
std::vector<int> common_divisors(int64_t a, int64_t b);

}  // namespace cs
